"""The HTML report in a real browser: headless Chromium renders the report of the sample corpus
(plus one hostile article), and the test reads the DOM it ends with and keeps screenshots in
test-artifacts/ (git-ignored). Needs Debian's `chromium` package; .ci/run installs it."""
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import dedupe
from dedupe.report_html import render_html
from conftest import DATA, ROOT
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
    """Elements or attributes the hostile article's script or markup would have created."""
    return [(tag, attrs) for tag, attrs in Page(dom).attrs
            if attrs.get("id") == "pwned" or "data-pwned" in attrs or "onerror" in attrs or tag in ("img", "script")]


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


def test_injected_script_does_not_run(rendered):
    dom = rendered["dom"]
    assert title_of(dom) == title_of(rendered["html"]) == "dedupe report: 4 stories, 14 copies"
    assert injected(dom) == []
    assert "&lt;script&gt;document.title='pwned'" in dom  # shown as text, in its pane
    assert any(PAYLOAD in pane for pane in Page(dom).panes)


def test_escaping_alone_stops_it(rendered, tmp_path):
    """Without the Content-Security-Policy the page is still inert: the escaping does the work."""
    html = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>\n', "", rendered["html"])
    assert "Content-Security-Policy" not in html
    page = tmp_path / "no-csp.html"
    page.write_text(html, encoding="utf-8")
    dom = chromium(page.as_uri(), tmp_path / "profile", "--dump-dom")
    assert title_of(dom) == title_of(html) and injected(dom) == []


def test_page_shows_every_story_and_copy_with_marks(rendered):
    saved = json.loads((rendered["folder"] / "report.json").read_text(encoding="utf-8"))
    page = Page(rendered["dom"])
    copies = sum(len(c["members"]) - 1 for c in saved["clusters"])
    assert page.count("details", **{"class": "story"}) == len(saved["clusters"]) == 4
    assert page.count("details", **{"class": "copy"}) == copies == 14
    for kind in ("kept", "reworded", "added"):
        assert page.count("span", **{"class": kind}) > 0, kind
    assert page.count("del", **{"class": "removed"}) > 0
    assert len(page.panes) == 2 * copies


def test_screenshots_for_a_person_to_look_at(rendered):
    ARTIFACTS.mkdir(exist_ok=True)
    top = ARTIFACTS / "report.png"
    chromium(rendered["page"].as_uri(), rendered["folder"] / "profile", "--window-size=1400,1600",
             f"--screenshot={top}")
    # the same page with the hostile article's story and its copies opened, to see the side-by-side view
    story = next(c for c in rendered["report"].clusters if any(m.id.startswith("evil") for m in c.members))
    opened = re.sub(rf'<details class="(story|copy)" id="({story.id}(?:-\d+)?)"', r'<details open class="\1" id="\2"',
                    rendered["html"])
    assert opened.count("<details open") == len(story.members)
    page = rendered["folder"] / "opened.html"
    page.write_text(opened, encoding="utf-8")
    side = ARTIFACTS / "report-side-by-side.png"
    chromium(page.as_uri(), rendered["folder"] / "profile", "--window-size=1400,3400", f"--screenshot={side}")
    for shot in (top, side):
        data = shot.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000, shot
