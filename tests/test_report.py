"""The terminal report: summary tables on top, then stories grouped by source."""
import dataclasses

import pytest

import dedupe
from dedupe.report.text import group_by_source, passages, render_text, reuse_table
from dedupe.model import Report, Span
from conftest import COPY_SEED, DATA, REWRITE_SEED, SEEDS


@pytest.fixture(scope="module")
def sample_report():
    return dedupe.scan([DATA / "sample"])


@pytest.fixture(scope="module")
def sample_text(sample_report):
    return render_text(sample_report)


def test_summary_table_counts_sources_stories_and_relations(sample_text):
    lines = sample_text.splitlines()
    assert lines[0] == ("30 documents, 1 skipped, 4 stories with copies from 3 sources, "
                        "12 copies (2 duplicate, 7 copy, 1 rewrite, 2 partial)")
    assert lines[2].split() == ["source", "stories", "copies", "duplicate", "copy", "rewrite", "partial"]
    assert lines[3].split() == ["Meridian", "Press", "Agency", "2", "7", "2", "3", "0", "2"]
    assert lines[6].split() == ["total", "4", "12", "2", "7", "1", "2"]


def test_reuse_table_names_who_takes_from_whom(sample_report, sample_text):
    rows = reuse_table(sample_report)
    assert rows[0][:3] == ("Valley Courier", "Meridian Press Agency", 2)
    assert all(outlet != source for outlet, source, _, _ in rows)
    assert "Valley Courier      Meridian Press Agency       2  1 copy, 1 partial" in sample_text


def test_stories_are_grouped_by_source(sample_report, sample_text):
    groups = group_by_source(sample_report)
    assert [(g.source, len(g.clusters), g.copies) for g in groups] == [
        ("Meridian Press Agency", 2, 7), ("Northfield Post", 1, 3), ("Daily Ledger", 1, 2)]
    order = [sample_text.index(s) for s in (
        "== Meridian Press Agency: 2 stories, 7 copies", "[c1] story from Meridian Press Agency",
        "[c4] story from Meridian Press Agency", "== Northfield Post: 1 story, 3 copies", "[c2] story from Northfield Post",
        "== Daily Ledger: 1 story, 2 copies", "[c3] story from Daily Ledger")]
    assert order == sorted(order)


def test_each_copy_shows_outlet_relation_similarity_and_changes(sample_text):
    block = sample_text[sample_text.index("└ partial   harbor-gazette-ferry"):]
    block = block[:block.index("\n\n")]
    assert "harbor-gazette-ferry | Harbor Gazette | 2026-03-14T16:45:00+00:00" in block
    assert "of mpa-ferry  (cosine 0.49, containment 0.54)" in block
    assert "kept 40%, reworded 0%, added 60%" in block
    assert "+ Shopkeepers on Quay Street say they heard the crash" in block
    assert "- PORT CALDER, March 14 (MPA) - A passenger ferry struck" in block


def test_evidence_is_shown_and_cut(sample_text):
    assert "  evidence  mpa-ferry is Meridian Press Agency's own text" in sample_text
    assert "(+1 more in the JSON and HTML reports)" in sample_text


def test_seeds_name_live_mint_and_the_closest_text():
    if not SEEDS.is_dir():
        pytest.skip(f"seeds not found at {SEEDS}")
    out = render_text(dedupe.scan([SEEDS]))
    assert "[c1] story from Live Mint (named by the copies; its own text is not in the input)" in out
    assert f"  closest   {COPY_SEED} (a syndicated copy; the source's own text is not in the input)" in out
    assert f"  └ rewrite   {REWRITE_SEED}" in out


def test_renders_without_texts(sample_report):
    bare = dataclasses.replace(sample_report, texts={})
    out = render_text(bare)
    assert "└ partial   harbor-gazette-ferry" in out
    assert "      + " not in out and "      - " not in out


def test_passages_are_the_first_long_enough_ones():
    text = "One. Two words here. Three little words. Four more words now."
    spans = [Span(text.index(p), text.index(p) + len(p))
             for p in ("One.", "Two words here.", "Three little words.", "Four more words now.")]
    assert passages(spans, text) == ["Two words here.", "Three little words."]
    assert passages(spans, text, width=10) == ["Two words…", "Three lit…"]


def test_empty_report():
    out = render_text(Report(documents=1, skipped=(), clusters=()))
    assert out == "1 document, 0 skipped, 0 stories with copies from 0 sources, 0 copies (none)\n"


def test_watch_text_escapes_control_characters_in_ids_and_sources():
    """watch's own text view shows control characters escaped, as the scan's text report does."""
    from dedupe.model import Member
    from dedupe.report.text import _describe

    member = Member(id="b\r\nForged: line", relation="copy", source="Evil\x1b]0;pwned\x07 Outlet",
                    published="2026-03-17T06:00:00")
    line = _describe(member)
    assert "\r" not in line and "\n" not in line and "\x1b" not in line and "\x07" not in line
    assert "\\r\\nForged" in line and "\\x1b" in line
