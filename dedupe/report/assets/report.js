(function () {
  document.documentElement.setAttribute("data-script", "ran");
  var box = document.getElementById("find"), order = document.getElementById("order");
  var body = document.getElementById("index-rows"), shown = document.getElementById("shown");
  var rows = Array.prototype.slice.call(body.rows), stories = {};
  Array.prototype.forEach.call(document.querySelectorAll("details.story"), function (d) { stories[d.id] = d; });
  function filter() {
    var words = box.value.toLowerCase().split(/\s+/).filter(Boolean), n = 0;
    rows.forEach(function (r) {
      var text = r.getAttribute("data-find"), hit = words.every(function (w) { return text.indexOf(w) >= 0; });
      r.hidden = !hit; n += hit ? 1 : 0;
      var story = stories[r.getAttribute("data-story")];
      if (story) { story.hidden = !hit; }
    });
    Array.prototype.forEach.call(document.querySelectorAll("details.source"), function (s) {
      s.hidden = !s.querySelector("details.story:not([hidden])");
    });
    shown.textContent = n + " of " + rows.length + " stories";
  }
  function key(r, k) { var v = r.getAttribute("data-" + k); return k === "copies" ? -Number(v) : v; }
  function sort() {
    var k = order.value, sign = k === "latest" ? -1 : 1, field = k === "latest" ? "date" : k === "earliest" ? "date" : k;
    rows.slice().sort(function (a, b) {
      var x = key(a, field), y = key(b, field);
      if (field === "date" && (x === "") !== (y === "")) { return x === "" ? 1 : -1; }
      return (x < y ? -1 : x > y ? 1 : 0) * sign || Number(a.getAttribute("data-n")) - Number(b.getAttribute("data-n"));
    }).forEach(function (r) { body.appendChild(r); });
  }
  function reveal() {
    var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    for (var e = target; e; e = e.parentElement) { if (e.tagName === "DETAILS") { e.open = true; } }
    if (target) { target.scrollIntoView(); }
  }
  box.addEventListener("input", filter); order.addEventListener("change", sort);
  window.addEventListener("hashchange", reveal);
  var query = new URLSearchParams(location.search);
  box.value = query.get("find") || box.value;
  if (query.get("order") && order.querySelector("option[value='" + query.get("order").replace(/\W/g, "") + "']")) {
    order.value = query.get("order"); sort();
  }
  reveal(); filter();
})();