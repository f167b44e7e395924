"""The HTML report: self-contained, every piece of article data escaped, marks that add up to the text,
aligned rows, legend, charts, timeline and the index of stories."""
import base64
import dataclasses
import hashlib
import json
import re
from html.parser import HTMLParser

import pytest

import dedupe
from dedupe.model import Document
from dedupe.report.text import group_by_source
from dedupe.report.html import SCRIPT, render_html
from dedupe.report.rows import aligned_rows
from dedupe.report.json import parse_report
from conftest import COPY_SEED, DATA, SEEDS

PAYLOAD = ("<script>document.title='pwned';document.body.insertAdjacentHTML('beforeend','<p id=\"pwned\">pwned</p>')"
           "</script>")
HOSTILE_MARKUP = (f'\n\n{PAYLOAD} <img src=x onerror="document.body.setAttribute(\'data-pwned\', 1)"> '
                  '<b>bold?</b> &amp; </textarea></div><style>body{display:none}</style> '
                  '<a href="javascript:alert(1)">click</a>')


def hostile_documents(sample_docs):
    """The sample corpus plus a copy of the bridge story whose text, title, outlet and id carry markup."""
    bridge = next(d for d in sample_docs if d["id"] == "mpa-bridge")
    evil = {"id": 'evil"><script>document.title="pwned"</script>', "source": "<b>Evil</b> & Co",
            "title": "</title><script>document.title='pwned'</script>", "url": "javascript:alert(1)",
            "published": "2026-03-18T15:00:00+00:00", "text": bridge["text"] + HOSTILE_MARKUP}
    return [*sample_docs, evil]


class Page(HTMLParser):
    """Tags, attributes, and for each side-by-side view the text of its original's cells and of its
    copy's cells (`panes`: original, copy, original, copy...) and its rows (`views`: id -> rows of
    [original cell's kind, the row's tag, copy cell's kind]), as a browser would read them."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.tags, self.attrs, self.panes, self.rows, self.views = [], [], [], [], {}
        self._cell, self._view = None, None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.append((tag, dict(attrs)))
        classes = (dict(attrs).get("class") or "").split()
        if tag == "div" and "rows" in classes:
            self._view = {"o": [], "c": []}
            self.panes += [self._view["o"], self._view["c"]]
            self.views[dict(attrs).get("id")] = self.rows = []
        elif tag == "div" and "row" in classes:
            self.rows.append([])
        elif tag == "div" and self._view is not None and classes[:1] in (["o"], ["c"], ["tag"]):
            self._cell = self._view.get(classes[0], [])
            self.rows[-1].append(" ".join(classes[1:]) if classes[0] != "tag" else None)
            self._tag = classes[0] == "tag"

    def handle_endtag(self, tag):
        if tag == "div" and self._cell is not None:
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            if getattr(self, "_tag", False):
                self.rows[-1][-1] = data
            else:
                self._cell.append(data)

    def close(self):
        super().close()

    @property
    def texts(self):
        return ["".join(p) for p in self.panes]

    def count(self, tag, **wanted):
        return sum(1 for t, a in self.attrs if t == tag and all(a.get(k) == v for k, v in wanted.items()))


@pytest.fixture(scope="module")
def hostile_report(sample_docs):
    return dedupe.scan(hostile_documents(sample_docs))


@pytest.fixture(scope="module")
def hostile_html(hostile_report):
    return render_html(hostile_report)


def test_hostile_article_is_in_a_cluster(hostile_report):
    evil = [m for c in hostile_report.clusters for m in c.members if m.id.startswith("evil")]
    assert len(evil) == 1 and evil[0].of == "mpa-bridge"


def test_nothing_from_the_articles_becomes_markup(hostile_html):
    page = Page(hostile_html)
    assert hostile_html.lower().count("<script") == 1 and f"<script>{SCRIPT}</script>" in hostile_html
    assert set(page.tags) <= {"html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h4", "p",
                              "div", "span", "del", "details", "summary", "table", "thead", "tbody", "tr", "th",
                              "td", "ul", "li", "a", "b", "br", "section", "dl", "dt", "dd", "figure", "figcaption",
                              "svg", "rect", "line", "circle", "text", "input", "label", "select", "option",
                              "script"}
    head = hostile_html[:hostile_html.index("</head>")]
    assert page.tags.count("style") == 1 and head.count("<title>") == 1
    for tag, attrs in page.attrs:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        if tag == "a":
            assert attrs["href"].startswith(("#", "http://", "https://")), attrs
    assert "&lt;script&gt;document.title=&#x27;pwned&#x27;" in hostile_html
    assert "&lt;b&gt;Evil&lt;/b&gt; &amp;amp; Co" not in hostile_html and "&lt;b&gt;Evil&lt;/b&gt; &amp; Co" in hostile_html


def test_page_is_self_contained(hostile_html):
    page = Page(hostile_html)
    assert not {"img", "link", "iframe", "object", "embed", "base", "form"} & set(page.tags)
    assert not any("src" in attrs or "href" in attrs and tag != "a" for tag, attrs in page.attrs)
    csp = [a["content"] for t, a in page.attrs if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert csp and csp[0].startswith("default-src 'none'")
    # the one script is allowed by its hash, computed here from the script as the page carries it
    script = re.search(r"<script>(.*?)</script>", hostile_html, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    assert f"script-src 'sha256-{digest}';" in csp[0] and "unsafe" not in csp[0].split("script-src")[1].split(";")[0]
    assert "url(" not in hostile_html and "@import" not in hostile_html


def test_counts_match_the_report(hostile_report, hostile_html):
    page = Page(hostile_html)
    copies = [m for c in hostile_report.clusters for m in c.members[1:]]
    assert page.count("details", **{"class": "story"}) == len(hostile_report.clusters)
    assert page.count("details", **{"class": "copy"}) == len(copies)
    assert page.count("details", **{"class": "source"}) == 3
    for kind in ("kept", "reworded", "added"):
        assert page.count("span", **{"class": kind}) > 0, kind
    assert page.count("del", **{"class": "removed"}) > 0


def test_each_pane_shows_its_whole_text(hostile_report, hostile_html):
    """Marks wrap the text without losing or repeating a character: original then copy, per copy."""
    page = Page(hostile_html)
    expected = []
    for group in group_by_source(hostile_report):  # the page's order: sources, stories, copies
        for cluster in group.clusters:
            for member in cluster.members[1:]:
                expected += [hostile_report.texts[member.of].text, hostile_report.texts[member.id].text]
    assert page.texts == expected
    assert any(PAYLOAD in pane for pane in page.texts)


def test_side_by_side_has_scores_and_legend(hostile_html):
    legend = re.search(r'<dl class="legend">(.*?)</dl>', hostile_html, re.S).group(1)
    terms = re.findall(r"<dt>(.*?)</dt>", legend)
    assert [re.sub("<[^>]+>", "", t) for t in terms] == ["duplicate", "copy", "rewrite", "partial", "kept",
                                                           "reworded", "added", "removed", "moved", "scores"]
    assert "at least 85% of what it took verbatim" in legend
    assert "<th>cosine</th><th>containment</th><th>jaccard</th><th>coverage</th>" in hostile_html
    assert 'class="rows" id="c1-1-text"' in hostile_html


def test_seeds_report_names_the_source(seeds):
    html = render_html(dedupe.scan([SEEDS]))
    assert "<b>Source:</b> Live Mint" in html and "own text not in the input" in html
    assert f"{COPY_SEED} (a syndicated copy; the source&#x27;s own text is not in the input)" in html


def test_report_without_texts_renders(hostile_report):
    html = render_html(dataclasses.replace(hostile_report, texts={}))
    assert "The text is not in this report" in html
    assert Page(html).count("details", **{"class": "copy"}) == sum(len(c.members) - 1 for c in hostile_report.clusters)


def test_large_reports_start_collapsed(hostile_report):
    assert "<details class=\"source\" id=\"source-1\" open>" in render_html(hostile_report)
    assert " open>" not in render_html(hostile_report, open_sources=2)


def test_html_from_saved_json_is_the_same(hostile_report, hostile_html):
    assert render_html(parse_report(hostile_report.to_json())) == hostile_html
    assert json.loads(hostile_report.to_json())["texts"]


DEPOT = ("HARTWELL, April 2 (MPA) - The Hartwell city council voted 7-2 on Tuesday to close the Mill Street bus "
         "depot by the end of the year, citing repair costs of 4.1 million dollars.\n\nThe depot, opened in 1962, "
         "houses 48 buses and employs 130 drivers and mechanics. Union leader Dana Whitcombe said the vote was taken "
         "without consulting the workers and promised to challenge it.\n\nThe council will meet again on April 16 to "
         "discuss where the buses will be kept.")
DEPOT_COPY = ("HARTWELL, April 2 (MPA) - The Hartwell city council voted 7-2 on Tuesday to close the Mill Street bus "
              "depot by the end of the year, citing repair costs of 4.1 million dollars.\n\nOpened back in 1962, the "
              "depot is home to 48 buses and gives work to 130 drivers and mechanics.\n\nThe council will meet again "
              "on April 16 to discuss where the buses will be kept.\n\nResidents of the Eastgate estate told the "
              "Valley Courier they feared longer journeys to Saint Anne's hospital.")


def test_rows_pair_sentences_in_order_with_removed_and_added_in_place():
    rows = aligned_rows(Document("o", DEPOT), Document("c", DEPOT_COPY), dedupe.diff(DEPOT, DEPOT_COPY))
    shown = [(r.original and r.original.kind, r.copy and r.copy.kind) for r in rows]
    assert shown == [("used", "kept"), ("used", "reworded"), ("removed", None), ("used", "kept"), (None, "added")]
    assert DEPOT[rows[2].original.start:rows[2].original.end].strip().startswith("Union leader Dana Whitcombe")
    # the cells of each side are its whole text, in order; a paragraph break starts a new row group
    assert "".join(DEPOT[r.original.start:r.original.end] for r in rows if r.original) == DEPOT
    assert "".join(DEPOT_COPY[r.copy.start:r.copy.end] for r in rows if r.copy) == DEPOT_COPY
    assert [r.copy.paragraph for r in rows if r.copy] == [True, True, True, True]
    assert [r.original.paragraph for r in rows if r.original] == [True, True, False, True]


def test_rows_on_the_page():
    """The Bayside Bulletin copy of the ferry story: kept rows beside their sentences, the two
    sentences it cut as removed rows with nothing beside them, in place, and its credit line added."""
    report = dedupe.scan([DATA / "sample"])
    cluster = next(c for c in report.clusters if c.original.id == "mpa-ferry")
    n = next(k for k, m in enumerate(cluster.members) if m.id == "files/bayside-bulletin-ferry.html")
    rows = Page(render_html(report)).views[f"{cluster.id}-{n}-text"]
    tags = [r[1] for r in rows]
    assert tags[:12] == ["kept"] * 12 and tags[12:14] == ["removed", "removed"] and tags[14:] == ["added"]
    assert [r[0] for r in rows[12:14]] == ["removed", "removed"] and all(r[2] == "" for r in rows[12:14])
    assert rows[14] == ["", "added", "added"]


def test_word_detail_is_on_demand(hostile_html):
    """Word marks are in the page but coloured only when the copy's checkbox is ticked."""
    assert ".rows span.kept, .rows span.reworded, .rows span.added { background: none; }" in hostile_html
    assert ".wd:checked ~ .rows span.reworded { background: var(--reworded); }" in hostile_html
    boxes = re.findall(r'<input type="checkbox" class="wd" id="([^"]+)-wd">', hostile_html)
    assert boxes and all(f'id="{b}-text"' in hostile_html for b in boxes)


def test_charts_count_what_the_tables_count(hostile_report, hostile_html):
    charts = re.findall(r'<figure class="chart"><figcaption>(.*?)</figcaption>(.*?)</figure>', hostile_html, re.S)
    by_title = {title: svg for title, svg in charts}
    assert set(by_title) == {"Copies by relation", "Stories per source", "Outlets that reuse each source"}
    totals = dict(re.findall(r"<text [^>]*text-anchor=\"end\">([^<]+)<title>.*?class=\"n\">(\d+)</text>",
                             by_title["Stories per source"]))
    assert totals == {g.source: str(len(g.clusters)) for g in group_by_source(hostile_report)}
    copies = re.findall(r'class="n">(\d+)</text>', by_title["Copies by relation"])
    assert sum(map(int, copies)) == sum(len(c.members) - 1 for c in hostile_report.clusters)
    reusers = dict(re.findall(r"<text [^>]*text-anchor=\"end\">([^<]+)<title>.*?class=\"n\">(\d+)</text>",
                              by_title["Outlets that reuse each source"]))
    mpa = {m.source for c in hostile_report.clusters if c.original.source == "Meridian Press Agency"
           for m in c.members[1:] if m.source != "Meridian Press Agency"}
    assert reusers["Meridian Press Agency"] == str(len(mpa))


def test_timeline_where_dates_exist(hostile_report, hostile_html):
    assert hostile_html.count('<svg class="timeline"') == len(hostile_report.clusters)
    ferry = hostile_html[hostile_html.index('id="c1"'):]
    assert "14 Mar 2026 09:00" in ferry and "partial +7.8 h" in ferry
    undated = dataclasses.replace(hostile_report, texts={k: dataclasses.replace(d, published=None)
                                                         for k, d in hostile_report.texts.items()},
                                  clusters=tuple(dataclasses.replace(c, members=tuple(
                                      dataclasses.replace(m, published=None) for m in c.members))
                                      for c in hostile_report.clusters))
    assert '<svg class="timeline"' not in render_html(undated)


def test_index_links_every_story_and_names_untitled_ones(hostile_report):
    untitled = dataclasses.replace(hostile_report, texts={k: dataclasses.replace(d, title=None)
                                                          for k, d in hostile_report.texts.items()},
                                   clusters=tuple(dataclasses.replace(c, members=tuple(
                                       dataclasses.replace(m, title=None) for m in c.members))
                                       for c in hostile_report.clusters))
    html = render_html(untitled)
    page = Page(html)
    rows = [a for t, a in page.attrs if t == "tr" and "data-story" in a]
    assert [r["data-story"] for r in rows] == [c.id for g in group_by_source(untitled) for c in g.clusters]
    ids = {a.get("id") for _, a in page.attrs}
    assert all(r["data-story"] in ids for r in rows)
    ferry = next(r for r in rows if "mpa-ferry" in r["data-find"])
    assert ferry["data-title"].startswith("port calder, march 14 (mpa) - a passenger ferry")
    assert ferry["data-date"] == "2026-03-14T09:00:00+00:00" and ferry["data-copies"] == "4"
