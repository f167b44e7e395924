import dedupe
from conftest import COPY_SEED, REWRITE_SEED


def marked(text, diff, kind):
    return " ".join(text[s.start:s.end] for s in diff.segments if s.kind == kind)


def test_seed_rewrite_marks(seeds):
    original, rewrite = seeds[COPY_SEED], seeds[REWRITE_SEED]
    d = dedupe.diff(original, rewrite)
    closing = rewrite.index("This development highlights")
    closing_end = rewrite.index("In summary")
    added = sum(min(s.end, closing_end) - max(s.start, closing) for s in d.segments
                if s.kind == "added" and s.end > closing and s.start < closing_end)
    assert added / (closing_end - closing) > 0.9, "the rewrite's added closing paragraphs are marked added"
    statement = original.index("To this, Ukraine has said")
    removed = [r for r in d.removed if r.start <= statement + 30 < r.end]
    assert removed, "the Ukrainian statement the rewrite dropped is marked removed"
    assert "high professionalism, fortitude, courage, and heroism" in marked(rewrite, d, "kept")
    assert d.share("reworded") > 0.15


def test_copy_with_trim_and_credit():
    original = ("A passenger ferry struck the harbour wall at Port Calder on Saturday, injuring 14 people. "
                "The operator said the vessel would be inspected before returning to service. "
                "It is the second incident involving the company in a year.")
    copy = ("A passenger ferry struck the harbour wall at Port Calder on Saturday, injuring 14 people. "
            "The operator told reporters the vessel would be inspected before returning to service. "
            "(Meridian Press Agency)")
    d = dedupe.diff(original, copy)
    assert "A passenger ferry struck the harbour wall" in marked(copy, d, "kept")
    assert marked(copy, d, "added") == "Meridian Press Agency"
    assert [original[r.start:r.end] for r in d.removed] == ["It is the second incident involving the company in a year"]
    assert d.share("kept") > 0.8


def test_offsets_cover_only_the_copy():
    d = dedupe.diff("Short original text here.", "Completely different words appear in this copy.")
    assert {s.kind for s in d.segments} == {"added"}
    assert d.segments[0].start == 0 and d.segments[-1].end == len("Completely different words appear in this copy")
