"""The HTML report in a real browser: headless Chromium renders the report of the sample corpus
(plus one hostile article) and of Reuters-21578 when ../shared has it, and the test reads the DOM
it ends with and keeps screenshots in test-artifacts/ (git-ignored). Needs Debian's `chromium`
package; .ci/run installs it."""
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import dedupe
from dedupe.report import html as report_html
from dedupe.report.html import render_html
from conftest import DATA, ROOT, SHARED
from test_report_html import PAYLOAD, Page, hostile_documents

CHROMIUM = "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else shutil.which("chromium")
ARTIFACTS = ROOT / "test-artifacts"

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed "
                                "(apt-get install chromium; .ci/run installs it)")


def chromium(url: str, profile: Path, *args: str) -> str:
    """Run headless Chromium on one page, without network services; its standard output."""
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", "--no-default-browser-check",
               "--disable-extensions", f"--user-data-dir={profile}", *args, url]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def title_of(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1)


def injected(dom: str) -> list:
    """Elements or attributes the hostile article's script or markup would have created (the page's
    own script is its one <script>)."""
    page = Page(dom)
    return [(tag, attrs) for tag, attrs in page.attrs
            if attrs.get("id") == "pwned" or "data-pwned" in attrs or "onerror" in attrs or tag == "img"] + \
        [("script", {})] * (page.tags.count("script") - 1)


@pytest.fixture(scope="module")
def rendered(sample_docs, tmp_path_factory):
    """The hostile sample report as JSON and HTML files, and the DOM Chromium made of the HTML."""
    folder = tmp_path_factory.mktemp("browser")
    report = dedupe.scan([DATA / "sample", hostile_documents(sample_docs)[-1]])
    (folder / "report.json").write_text(report.to_json(), encoding="utf-8")
    html = render_html(report)
    page = folder / "report.html"
    page.write_text(html, encoding="utf-8")
    dom = chromium(page.as_uri(), folder / "profile", "--dump-dom")
    return {"folder": folder, "report": report, "html": html, "page": page, "dom": dom}


def test_this_chromium_runs_scripts(tmp_path):
    """The check below is meaningful: a page's own script does change the title here."""
    control = tmp_path / "control.html"
    control.write_text('<html><head><title>before</title></head><body><script>document.title="ran";'
                       'document.body.insertAdjacentHTML("beforeend", "<p id=\\"pwned\\">x</p>")</script></body></html>')
    dom = chromium(control.as_uri(), tmp_path / "profile", "--dump-dom")
    assert title_of(dom) == "ran" and ("p", {"id": "pwned"}) in injected(dom)


def script_ran(dom: str) -> bool:
    """The page's own script ran (it marks the <html> element first thing)."""
    return Page(dom).attrs[0] == ("html", {"lang": "en", "data-script": "ran"})


def test_injected_script_does_not_run(rendered):
    dom = rendered["dom"]
    assert title_of(dom) == title_of(rendered["html"]) == "dedupe report: 4 stories, 13 copies"
    assert injected(dom) == [] and script_ran(dom)
    assert "&lt;script&gt;document.title='pwned'" in dom  # shown as text, in its pane
    assert any(PAYLOAD in pane for pane in Page(dom).texts)


def test_escaping_alone_stops_it(rendered, tmp_path):
    """Without the Content-Security-Policy the page is still inert: the escaping does the work."""
    html = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>\n', "", rendered["html"])
    assert "Content-Security-Policy" not in html
    page = tmp_path / "no-csp.html"
    page.write_text(html, encoding="utf-8")
    dom = chromium(page.as_uri(), tmp_path / "profile", "--dump-dom")
    assert title_of(dom) == title_of(html) and injected(dom) == [] and script_ran(dom)


def test_csp_alone_stops_it(rendered, monkeypatch, tmp_path):
    """With escaping switched off the article's <script> and onerror are real markup in the page,
    and the Content-Security-Policy still lets only the page's own script (by its hash) run."""
    monkeypatch.setattr(report_html, "_e", str)
    html = render_html(rendered["report"])
    assert "<script>document.title='pwned'" in html and html.count("<script>") > 1
    page = tmp_path / "unescaped.html"
    page.write_text(html, encoding="utf-8")
    dom = chromium(page.as_uri(), tmp_path / "profile", "--dump-dom")
    # the markup itself now makes elements (a <p id="pwned"> among them), but no script of the
    # article's changed anything: the title is the page's own and no onerror set data-pwned
    assert Page(dom).tags.count("script") > 1  # the article's scripts are real elements here
    assert "pwned" not in title_of(dom) and script_ran(dom)
    assert not [a for t, a in Page(dom).attrs if "data-pwned" in a]


def test_filter_box_finds_stories(rendered):
    """`?find=` fills the filter box: only the bridge story stays in the index and in the stories."""
    dom = chromium(rendered["page"].as_uri() + "?find=ashford+bridge", rendered["folder"] / "profile", "--dump-dom")
    page = Page(dom)
    rows = [a for t, a in page.attrs if t == "tr" and "data-story" in a]
    shown = [r["data-story"] for r in rows if "hidden" not in r]
    bridge = next(c.id for c in rendered["report"].clusters if c.original.id == "mpa-bridge")
    assert shown == [bridge] and len(rows) == 4
    stories = [a for t, a in page.attrs if t == "details" and a.get("class") == "story"]
    assert [a["id"] for a in stories if "hidden" not in a] == [bridge]
    assert '<span class="muted" id="shown">1 of 4 stories</span>' in dom


@pytest.mark.parametrize("order, key", [("copies", lambda c: -(len(c.members) - 1)), ("title", None)])
def test_order_sorts_the_index(rendered, order, key):
    """`?order=` sorts the index rows (most copies first; by title), and leaves the stories below in place."""
    report = rendered["report"]
    dom = chromium(rendered["page"].as_uri() + f"?order={order}", rendered["folder"] / "profile", "--dump-dom")
    page = Page(dom)
    rows = [a for t, a in page.attrs if t == "tr" and "data-story" in a]
    if order == "title":
        assert [r["data-title"] for r in rows] == sorted(r["data-title"] for r in rows)
    else:
        assert [r["data-copies"] for r in rows] == [str(-key(c)) for c in sorted(report.clusters, key=key)]
    assert [a["id"] for t, a in page.attrs if t == "details" and a.get("class") == "story"] == \
        [a["id"] for t, a in Page(rendered["html"]).attrs if t == "details" and a.get("class") == "story"]


def test_page_shows_every_story_and_copy_with_marks(rendered):
    saved = json.loads((rendered["folder"] / "report.json").read_text(encoding="utf-8"))
    page = Page(rendered["dom"])
    copies = sum(len(c["members"]) - 1 for c in saved["clusters"])
    assert page.count("details", **{"class": "story"}) == len(saved["clusters"]) == 4
    assert page.count("details", **{"class": "copy"}) == copies == 13
    for kind in ("kept", "reworded", "added"):
        assert page.count("span", **{"class": kind}) > 0, kind
    assert page.count("del", **{"class": "removed"}) > 0
    assert len(page.panes) == 2 * copies


ONLY_STORIES = ("header, section.summary, section.charts-section, section.index-section, details.story:not([open]), "
                "details.copy:not([open]) { display: none; }</style>")
"""CSS that leaves only the opened stories on the page: headless Chromium's screenshot is of the
top of the page, so the side-by-side screenshots hide what is above them."""


def opened(html: str, story: str, copies: str = r"\d+", words: bool = False) -> str:
    """`html` with the story and the given copies open (and their word detail ticked), the rest hidden;
    source sections open, so that a large report's (which start closed) show the story."""
    html = re.sub(r'<details class="source" id="(source-\d+)"(?! open)', r'<details class="source" id="\1" open', html)
    html = re.sub(rf'<details class="(story|copy)" id="({story}(?:-(?:{copies}))?)"', r'<details open class="\1" id="\2"',
                  html)
    if words:
        html = re.sub(rf'(<input type="checkbox" class="wd" id="{story}-(?:{copies})-wd")', r"\1 checked", html)
    return html.replace("</style>", ONLY_STORIES, 1)


def shoot(html: str, name: str, folder: Path, size: str = "1400,1600") -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    page, shot = folder / f"{name}.html", ARTIFACTS / f"{name}.png"
    page.write_text(html, encoding="utf-8")
    chromium(page.as_uri(), folder / "profile", f"--window-size={size}", f"--screenshot={shot}")
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000, shot
    return shot


def test_screenshots_for_a_person_to_look_at(rendered):
    html, folder, report = rendered["html"], rendered["folder"], rendered["report"]
    shoot(html, "report", folder, "1400,2400")  # counts, legend, tables, charts, index
    # the hostile article's story opened, to see the side-by-side rows of its copies
    story = next(c for c in report.clusters if any(m.id.startswith("evil") for m in c.members))
    page = opened(html, story.id)
    assert page.count("<details open") == len(story.members)
    shoot(page, "report-side-by-side", folder, "1400,3400")
    # a rewrite with its word detail shown, and without
    cluster = next(c for c in report.clusters if any(m.relation == "rewrite" for m in c.members))
    n = next(k for k, m in enumerate(cluster.members) if m.relation == "rewrite")
    shoot(opened(html, cluster.id, str(n)), "report-rewrite", folder)
    shoot(opened(html, cluster.id, str(n), words=True), "report-rewrite-words", folder)


REUTERS = SHARED / "data" / "reuters21578" / "docs.jsonl"


@pytest.mark.skipif(not REUTERS.exists(), reason=f"{REUTERS} is not here (research data in ../shared)")
def test_reuters_report(tmp_path):
    """The report of Reuters-21578's first 6,000 articles (a few hundred stories, one source):
    the browser loads it, the index lists every story, a filter finds one, screenshots kept."""
    with open(REUTERS, encoding="utf-8") as fh:
        docs = [json.loads(line) for _, line in zip(range(6000), fh)]
    report = dedupe.scan([{"id": d["id"], "text": d["text"], "source": d["source"], "title": d.get("title"),
                           "published": d["date"]} for d in docs])
    assert len(report.clusters) > 100
    html = render_html(report)
    page = tmp_path / "reuters.html"
    page.write_text(html, encoding="utf-8")
    dom = chromium(page.as_uri(), tmp_path / "profile", "--dump-dom")
    rows = [a for t, a in Page(dom).attrs if t == "tr" and "data-story" in a]
    assert script_ran(dom) and len(rows) == len(report.clusters)
    target = report.clusters[len(report.clusters) // 2]
    dom = chromium(page.as_uri() + f"?find={target.members[1].id}", tmp_path / "profile", "--dump-dom")
    shown = [a["data-story"] for t, a in Page(dom).attrs if t == "tr" and "data-story" in a and "hidden" not in a]
    assert target.id in shown and len(shown) < 10
    shoot(html, "reuters", tmp_path, "1400,2000")
    story = max(report.clusters, key=lambda c: len(c.members))
    shoot(opened(html, story.id, "1"), "reuters-side-by-side", tmp_path, "1400,2000")
