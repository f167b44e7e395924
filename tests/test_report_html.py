"""The HTML report: self-contained, every piece of article data escaped, marks that add up to the text."""
import dataclasses
import json
from html.parser import HTMLParser

import pytest

import dedupe
from dedupe.report import group_by_source
from dedupe.report_html import render_html
from dedupe.report_json import parse_report
from conftest import COPY_SEED, SEEDS

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
    """Tags, attributes and the text of each marked text pane, as a browser would read them."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.tags, self.attrs, self.panes, self._pane, self._depth = [], [], [], None, 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.append((tag, dict(attrs)))
        if self._pane is not None and tag == "div":
            self._depth += 1
        if tag == "div" and dict(attrs).get("class") == "text":
            self._pane, self._depth = [], 1

    def handle_endtag(self, tag):
        if self._pane is not None and tag == "div":
            self._depth -= 1
            if self._depth == 0:
                self.panes.append("".join(self._pane))
                self._pane = None

    def handle_data(self, data):
        if self._pane is not None:
            self._pane.append(data)

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
    assert "<script" not in hostile_html.lower()
    assert set(page.tags) <= {"html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h4", "p",
                              "div", "span", "del", "details", "summary", "table", "tr", "th", "td", "ul", "li",
                              "a", "b", "br", "section"}
    assert page.tags.count("style") == 1 and page.tags.count("title") == 1
    for tag, attrs in page.attrs:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        if tag == "a":
            assert attrs["href"].startswith(("#", "http://", "https://")), attrs
    assert "&lt;script&gt;document.title=&#x27;pwned&#x27;" in hostile_html
    assert "&lt;b&gt;Evil&lt;/b&gt; &amp;amp; Co" not in hostile_html and "&lt;b&gt;Evil&lt;/b&gt; &amp; Co" in hostile_html


def test_page_is_self_contained(hostile_html):
    page = Page(hostile_html)
    assert not {"script", "img", "link", "iframe", "object", "embed", "base", "form"} & set(page.tags)
    assert not any("src" in attrs for _, attrs in page.attrs)
    csp = [a["content"] for t, a in page.attrs if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert csp and csp[0].startswith("default-src 'none'")
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
    assert page.panes == expected
    assert any(PAYLOAD in pane for pane in page.panes)


def test_side_by_side_has_scores_and_legend(hostile_html):
    assert '<div class="legend"><b>Legend:</b>' in hostile_html
    assert "<th>cosine</th><th>containment</th><th>jaccard</th><th>coverage</th>" in hostile_html
    assert 'class="pair" id="c1-1-text"' in hostile_html


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
