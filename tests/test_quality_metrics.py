"""Pure metric helpers of benchmarks/quality.py, on tiny hand-made inputs (no corpus needed)."""
import importlib.util
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parent.parent / "benchmarks" / "quality.py"
_SPEC = importlib.util.spec_from_file_location("quality_benchmark", _PATH)
quality = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(quality)


# ---------------------------------------------------------------- span alignment

def test_align_nonspace_ignores_whitespace_changes():
    text = "Noel Edmonds is quitting."
    annotated = "\nNoel \nEdmonds \nis\nquitting.\n\n"
    mapping = quality.align_nonspace(text, annotated)
    assert len(mapping) == len(text)
    for i, j in enumerate(mapping):
        if text[i].isspace():
            assert j is None
        else:
            assert annotated[j] == text[i]


def test_align_nonspace_maps_substituted_characters_position_by_position():
    text = 'He said “hello” to her.'
    annotated = 'He said "hello" to her.'
    mapping = quality.align_nonspace(text, annotated)
    assert mapping[text.index("“")] == annotated.index('"')
    assert mapping[text.index("h", 3)] == annotated.index("h", 3)


def test_align_nonspace_leaves_unmatched_text_unmapped():
    text = "Storm hits coast. Ferries halted."
    annotated = "Storm hits coast."
    mapping = quality.align_nonspace(text, annotated)
    head = len("Storm hits coast.")
    assert all(mapping[i] == i for i in range(head) if not text[i].isspace())
    assert all(j is None for j in mapping[text.index("Ferries"):])


def test_gold_word_labels_align_annotated_spans_to_the_text():
    text = "VETERAN entertainer Noel Edmonds is quitting TV."
    annotated = "\n\nVETERAN entertainer \nNoel Edmonds \nis \nquitting \nTV.\n"
    def span(part, kind):
        start = annotated.index(part)
        return {"start": start, "end": start + len(part), "type": kind}
    record = {"annotated_text": annotated, "spans": [
        span("VETERAN entertainer \n", "new"), span("Noel Edmonds \n", "verbatim"),
        span("is \n", "rewrite"), span("quitting \n", "verbatim"), span("TV.\n", "rewrite")]}
    assert quality.gold_word_labels(text, record) == [
        "new", "new", "verbatim", "verbatim", "rewrite", "verbatim", "rewrite"]


def test_label_words_takes_the_majority_and_defaults_when_unlabeled():
    words = [(0, 4), (5, 8)]
    labels = ["a", "a", "b", None, None, None, None, None]
    assert quality.label_words(words, labels) == ["a", None]
    assert quality.label_words(words, labels, default="x") == ["a", "x"]


def test_predicted_word_labels_map_diff_kinds_to_gold_kinds():
    text = "Storm hits coast today"
    segments = [{"start": 0, "end": 10, "kind": "kept"}, {"start": 11, "end": 16, "kind": "reworded"}]
    assert quality.predicted_word_labels(text, segments) == ["verbatim", "verbatim", "rewrite", "new"]
    assert quality.predicted_word_labels(text, None) == ["new"] * 4


def test_word_figures_pool_words_and_skip_unaligned_ones():
    pairs = [(["verbatim", "new", None], ["verbatim", "new", "new"]),
             (["rewrite"], ["new"])]
    figures = quality.word_figures(pairs)
    assert figures["words_scored"] == 3 and figures["words_unaligned"] == 1
    assert figures["word_f1_kept_verbatim"] == 1.0
    assert figures["word_f1_reworded_rewrite"] == 0.0
    assert figures["word_f1_added_new"] == pytest.approx(2 / 3)
    assert figures["word_macro_f1"] == pytest.approx((1 + 0 + 2 / 3) / 3)


def test_best_source_prefers_the_largest_share_of_shared_words():
    paper = "Depp wore a woolly hat at the dinner"
    sources = [("pa1", "Sleepy Hollow opens today"), ("pa2", "Depp arrived in a woolly hat for dinner")]
    assert quality.best_source(paper, sources)[0] == "pa2"


# ---------------------------------------------------------------- F1 and confusion

def test_f1_by_class_on_a_hand_computed_example():
    gold = ["a", "a", "a", "b", "b", "c"]
    pred = ["a", "a", "b", "b", "c", "c"]
    # a: tp 2 fp 0 fn 1 -> 4/5; b: tp 1 fp 1 fn 1 -> 1/2; c: tp 1 fp 1 fn 0 -> 2/3
    scores = quality.f1_by_class(gold, pred, ("a", "b", "c"))
    assert scores == pytest.approx({"a": 0.8, "b": 0.5, "c": 2 / 3})
    assert quality.macro_f1(gold, pred, ("a", "b", "c")) == pytest.approx((0.8 + 0.5 + 2 / 3) / 3)


def test_f1_of_a_class_never_predicted_is_zero():
    assert quality.f1_by_class(["a", "b"], ["a", "a"], ("a", "b"))["b"] == 0.0


def test_f1_refuses_unpaired_labels():
    with pytest.raises(ValueError):
        quality.f1_by_class(["a"], [], ("a",))


def test_confusion_rows_are_gold_columns_predicted():
    matrix = quality.confusion(["x", "x", "y"], ["x", "y", "y"], ("x", "y"))
    assert matrix == [[1, 1], [0, 1]]


# ---------------------------------------------------------------- METER derivation from a report

def _labels():
    return {
        "PA/s1/a": {"cluster": "s1", "role": "source"},
        "PA/s2/a": {"cluster": "s2", "role": "source"},
        "np/s1/x": {"cluster": "s1", "role": "newspaper"},
        "np/s1/y": {"cluster": "s1", "role": "newspaper"},
        "np/s1/z": {"cluster": "s1", "role": "newspaper"},
    }


def _where(members, original):
    cluster = {"id": "c1", "original": {"id": original}, "members": members}
    return {m["id"]: (cluster, m) for m in members}


def test_derivation_follows_the_of_chain_to_a_pa_text_of_the_own_story():
    where = _where([{"id": "PA/s1/a", "relation": "original"},
                    {"id": "np/s1/x", "relation": "copy", "of": "PA/s1/a"},
                    {"id": "np/s1/y", "relation": "partial", "of": "np/s1/x"}], "PA/s1/a")
    labels = _labels()
    assert quality.predict_derivation("np/s1/x", where, labels) == "wholly"
    assert quality.predict_derivation("np/s1/y", where, labels) == "partially"
    assert quality.predict_derivation("np/s1/z", where, labels) == "non"  # not clustered


def test_derivation_from_another_storys_pa_or_as_original_is_non():
    labels = _labels()
    where = _where([{"id": "PA/s2/a", "relation": "original"},
                    {"id": "np/s1/x", "relation": "rewrite", "of": "PA/s2/a"}], "PA/s2/a")
    assert quality.predict_derivation("np/s1/x", where, labels) == "non"
    where = _where([{"id": "np/s1/x", "relation": "original"},
                    {"id": "PA/s1/a", "relation": "copy", "of": "np/s1/x"}], "np/s1/x")
    assert quality.predict_derivation("np/s1/x", where, labels) == "non"


# ---------------------------------------------------------------- floors and bands

@pytest.mark.parametrize("value, kind, floor", [
    (0.7129, "min", 0.71), (0.29, "min", 0.29), (0.0101, "max", 0.02), (0.0, "max", 0.0), (13, "max", 13.0)])
def test_round_floor(value, kind, floor):
    assert quality.round_floor(value, kind) == floor


def test_check_floors_reports_each_failure_and_skips_corpora_not_run():
    figures = {"a f1": 0.49, "a share": 0.02, "a fine": 0.9}
    floors = {"a f1": {"min": 0.5}, "a share": {"max": 0.01}, "a fine": {"min": 0.5},
              "a gone": {"min": 0.1}, "b f1": {"min": 0.9}}
    failures = quality.check_floors(figures, floors, ["a"])
    assert len(failures) == 3
    assert any("a f1" in f and "below" in f for f in failures)
    assert any("a share" in f and "above" in f for f in failures)
    assert any("a gone" in f for f in failures)
    assert quality.check_floors(figures, {"a fine": {"min": 0.5}}, ["a"]) == []


@pytest.mark.parametrize("score, band", [
    (1.0, (1.0, 1.5)), (1.5, (1.0, 1.5)), (1.6667, (1.5, 2.5)), (2.5, (1.5, 2.5)),
    (3.5, (2.5, 3.5)), (3.8, (3.5, 4.0)), (4.0, (3.5, 4.0)), (0.5, None), (4.5, None)])
def test_score_band_edges(score, band):
    assert quality.score_band(score) == band


# ---------------------------------------------------------------- --verify what-ifs

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample" / "news.jsonl"


def _sample(*ids) -> list[dict]:
    import json

    docs = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    return [d for d in docs if d["id"] in ids]


def test_tuned_scan_applies_the_changed_threshold():
    dedupe = quality.import_dedupe()
    docs = _sample("northfield-post-trees", "trendpulse-trees-rewrite")  # a machine rewrite of a story
    assert len(docs) == 2
    assert [len(c.members) for c in dedupe.scan(docs).clusters] == [2]
    assert quality.Tuned(dedupe, {"threshold": 1.0}).scan(docs).clusters == ()
    budget = _sample("coast-radio-budget", "larkspur-herald-budget")  # two reports of one council vote
    assert dedupe.scan(budget).clusters == () and quality.Tuned(dedupe, {"threshold": 0.0}).scan(budget).clusters == ()


@pytest.mark.parametrize("text", ["threshold", "no_such=1", "threshold=abc"])
def test_verify_setting_refuses_malformed_settings(text):
    with pytest.raises(quality.argparse.ArgumentTypeError):
        quality.verify_setting(text)


def test_verify_setting_converts_to_the_field_type():
    assert quality.verify_setting("threshold=0.9") == ("threshold", 0.9)
    assert quality.verify_setting("partial_facts=2") == ("partial_facts", 2)
