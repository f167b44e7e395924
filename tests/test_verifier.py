"""The learned verifier: its decisions on realistic news text, its JSON model, and its training."""
import json

import numpy as np
import pytest

from dedupe.config import VerifyOptions
from dedupe.errors import OptionsError
from dedupe.stages.features import NAMES
from dedupe.text.fingerprint import Stemmer, fingerprint
from dedupe.model import Document
from dedupe.text.normalize import normalize
from dedupe.stages.pairwise import verify_batch
from dedupe.train import (MONOTONE, Examples, LabelledPair, fit_verifier, hist_model, label_examples, measured_on,
                          story_groups, threshold_for, train_verifier)
from dedupe.stages.verifier import Verifier


SAMPLE_CORPUS = []


def run(docs, pairs=((0, 1),), verifier=None):
    """Verify pairs of `docs` as a scan of the sample corpus would: the rarity weights come from
    the whole corpus (the sample's other texts, undated, stand in for it)."""
    norm = [normalize(Document(str(i), t)) for i, t in enumerate(docs)]
    norm += [normalize(Document(f"other{k}", t)) for k, t in enumerate(SAMPLE_CORPUS) if t not in docs]
    stemmer = Stemmer()
    fp = fingerprint(norm, stemmer=stemmer)
    return verify_batch(np.array(pairs), fp, norm, stemmer, verifier or Verifier.default(), VerifyOptions())


@pytest.fixture(autouse=True)
def _sample_corpus(sample_docs):
    SAMPLE_CORPUS[:] = [d["text"] for d in sample_docs]


def test_rewrite_linked(sample_by_id):
    orig = sample_by_id["northfield-post-trees"]["text"]
    rewrite = sample_by_id["trendpulse-trees-rewrite"]["text"]
    [match] = run([orig, rewrite])
    assert match.scores.cosine > 0.5 and match.scores.jaccard < 0.3


def test_independent_reports_of_one_event_not_linked(sample_by_id):
    texts = [sample_by_id[i]["text"] for i in ("larkspur-herald-budget", "northfield-post-budget", "coast-radio-budget")]
    assert run(texts, [(0, 1), (0, 2), (1, 2)]) == []


def test_templated_briefs_with_different_figures_not_linked(sample_by_id):
    briefs = [t["text"] for i, t in sample_by_id.items() if i.endswith("-q4")]
    assert len(briefs) == 3
    assert run(briefs, [(0, 1), (0, 2), (1, 2)]) == []


def test_short_wire_inside_long_article_linked(sample_by_id):
    wire = sample_by_id["mpa-bridge"]["text"]
    local = sample_by_id["valley-courier-bridge"]["text"]
    [match] = run([wire, local])
    assert match.contain_ab > 0.9 and match.contain_ba < 0.5


def test_threshold_one_links_nothing_but_is_a_real_knob(sample_by_id):
    wire = sample_by_id["mpa-bridge"]["text"]
    local = sample_by_id["valley-courier-bridge"]["text"]
    assert run([wire, local], verifier=Verifier.default().with_threshold(1.0)) == []
    assert run([wire, local], verifier=Verifier.default().with_threshold(0.0))


def test_shipped_model_round_trips_and_was_trained_by_story():
    model = Verifier.default()
    assert model.features == NAMES
    again = Verifier.from_dict(json.loads(model.to_json()))
    rows = np.random.default_rng(1).random((50, len(NAMES)))
    assert np.array_equal(model.probabilities(rows), again.probabilities(rows))
    cv = model.about["cross_validation"]
    assert cv["by"] == "story" and cv["measured"]["precision"] >= cv["target_precision"] >= 0.95


@pytest.mark.parametrize("damage, message", [
    (lambda d: d.update(format="other"), "not a verifier model"),
    (lambda d: d["params"]["trees"][0]["left"].__setitem__(0, 0), "child"),
    (lambda d: d.update(features=["contain_max", "made_up"]), "unknown features"),
    (lambda d: d.pop("threshold"), "damaged"),
])
def test_damaged_model_is_refused_with_its_name(tmp_path, damage, message):
    data = json.loads(Verifier.default().to_json())
    damage(data)
    path = tmp_path / "model.json"
    path.write_text(json.dumps(data))
    with pytest.raises(OptionsError, match=message) as info:
        Verifier.load(path)
    assert str(path) in str(info.value)


def _toy_examples():
    """Feature rows where 'derived' means high weighted containment and agreeing figures."""
    rng = np.random.default_rng(7)
    matrix = rng.random((400, len(NAMES)))
    derived = (matrix[:, NAMES.index("wcontain_max")] > 0.6) & (matrix[:, NAMES.index("figures_w")] > 0.5)
    return matrix, derived


@pytest.mark.parametrize("kind, trees", [("gbm", "hist"), ("gbm", "classic"), ("logistic", None)])
def test_exported_model_equals_scikit_learn(kind, trees):
    """The JSON model, evaluated with numpy, gives scikit-learn's own probabilities."""
    from sklearn.ensemble import GradientBoostingClassifier

    matrix, derived = _toy_examples()
    weights = np.random.default_rng(3).random(len(derived)) + 0.5
    model = fit_verifier(matrix, derived, kind, weights=weights, **({"trees": trees} if trees else {}))
    model = Verifier.from_dict(json.loads(model.to_json()))
    probs = model.probabilities(matrix)
    assert ((probs >= 0.5) == derived).mean() > 0.9
    if trees == "hist":
        reference = hist_model().fit(matrix, derived, sample_weight=weights)
    elif trees == "classic":
        reference = GradientBoostingClassifier(n_estimators=150, max_depth=3, learning_rate=0.1, subsample=0.8,
                                               min_samples_leaf=5, random_state=0).fit(matrix, derived,
                                                                                       sample_weight=weights)
    if trees:
        assert np.allclose(probs, reference.predict_proba(matrix)[:, 1], atol=1e-9)


def test_more_shared_wording_never_lowers_the_probability():
    """The shipped model's monotone constraints: raising a feature of `MONOTONE` in its own
    direction never lowers P(derived), whatever the other features are."""
    model = Verifier.default()
    rows = np.random.default_rng(5).random((300, len(model.features)))
    base = model.probabilities(rows)
    for k, name in enumerate(model.features):
        sign = MONOTONE.get(name, 0)
        if sign:
            moved = rows.copy()
            moved[:, k] = np.clip(moved[:, k] + sign * 0.3, 0, None)
            assert (model.probabilities(moved) >= base - 1e-12).all(), name


def test_threshold_for_treats_ties_together():
    probs = np.array([0.9, 0.9, 0.8, 0.8, 0.2])
    derived = np.array([True, True, True, False, False])
    assert threshold_for(probs, derived, 1.0) == 0.9
    assert threshold_for(probs, derived, 0.75) == 0.8


def test_precision_on_names_a_corpus_or_a_label_file():
    pairs = [LabelledPair("c", "a", "b", "derived", "labels/one.jsonl:1"),
             LabelledPair("c", "c", "d", "template", "more/two.jsonl:4"),
             LabelledPair("d", "e", "f", "different", "more/two.jsonl:5")]
    examples = Examples(np.zeros((3, 1)), np.array([True, False, False]), [p.label for p in pairs],
                        story_groups(pairs), [p.corpus for p in pairs], pairs, [])
    assert measured_on(examples, "one.jsonl").tolist() == [True, False, False]
    assert measured_on(examples, "c").tolist() == [True, True, False]
    assert measured_on(examples, None).all()
    assert measured_on(examples, ["one.jsonl", "d"]).tolist() == [True, False, True]
    with pytest.raises(OptionsError, match="nope"):
        measured_on(examples, "nope")


def test_story_groups_join_pairs_that_share_a_text():
    pairs = [LabelledPair("c", "a", "b", "derived", ""), LabelledPair("c", "b", "c", "template", ""),
             LabelledPair("c", "x", "y", "different", ""), LabelledPair("d", "a", "z", "different", "")]
    groups = story_groups(pairs).tolist()
    assert groups[0] == groups[1] and len({groups[0], groups[2], groups[3]}) == 3


def test_train_on_labelled_sample_pairs(sample_by_id):
    """Training from labelled pairs of a corpus gives a model that separates them."""
    docs = [Document(i, d["text"], published=d.get("published")) for i, d in sample_by_id.items()]
    derived = [("mpa-ferry", "northfield-post-ferry"), ("mpa-bridge", "valley-courier-bridge"),
               ("northfield-post-trees", "trendpulse-trees-rewrite"), ("mpa-ferry", "daily-ledger-ferry")]
    others = [("larkspur-herald-budget", "northfield-post-budget"), ("larkspur-herald-budget", "coast-radio-budget"),
              ("northfield-post-budget", "coast-radio-budget")]
    briefs = sorted(i for i in sample_by_id if i.endswith("-q4"))
    others += [(briefs[0], briefs[1]), (briefs[0], briefs[2]), (briefs[1], briefs[2])]
    labels = [LabelledPair("", a, b, "derived", "t") for a, b in derived] + \
             [LabelledPair("", a, b, "template", "t") for a, b in others]
    examples = label_examples(labels, {"sample": docs})
    assert examples.matrix.shape == (len(labels), len(NAMES))
    contain = examples.matrix[:, NAMES.index("contain_max")]
    assert contain[:len(derived)].min() > 0 and np.isfinite(examples.matrix).all()
    model = train_verifier(labels, {"sample": docs}, kind="logistic", folds=2, precision=0.9)  # 10 pairs: too few for trees
    probs = model.probabilities(examples.matrix)
    assert probs[examples.derived].min() > probs[~examples.derived].max()
    assert model.about["labels"] == {"derived": 4, "same_event": 0, "template": 6, "different": 0}


def test_the_same_text_is_always_linked_as_a_duplicate(sample_by_id):
    """A verbatim copy is a duplicate by definition, however its date reads to the model."""
    text = sample_by_id["mpa-bridge"]["text"]
    rows = np.zeros((2, len(NAMES)))
    rows[:, NAMES.index("jaccard")] = [1.0, 0.99]
    model = Verifier.default().with_threshold(1.0)  # the model alone links nothing
    assert model.decide(rows).tolist() == [True, False]
    [match] = run([text, text + " "], verifier=model)
    assert match.scores.jaccard == 1.0


def test_corpus_stats_with_texts_that_have_no_word_3grams():
    """A text of one or two words has no 3-grams; the weights of the others are unaffected."""
    import scipy.sparse as sp

    from dedupe.stages.features import corpus_stats
    from dedupe.text.fingerprint import Fingerprints

    sets = (np.array([1, 2, 3], np.uint32), np.array([2], np.uint32), np.empty(0, np.uint32),
            np.empty(0, np.uint32))
    fp = Fingerprints(shingle_sets=sets, signatures=np.zeros((4, 8), np.uint32),
                      terms=sp.csr_matrix((4, 0), dtype=np.float32), vectorizer=None, options=None)
    stats = corpus_stats(fp, [frozenset()] * 4, [None] * 4)
    assert stats.shingle_totals[2:].tolist() == [0.0, 0.0]
    assert stats.shingle_totals[0] > stats.shingle_totals[1] > 0
    assert stats.lengths.tolist() == [3, 1, 0, 0]


def test_watch_takes_the_verifier_flags_and_refuses_a_bad_model_before_the_store(tmp_path, sample_by_id):
    """--model and --threshold are watch flags too; a model that cannot be read stops the run
    with one line naming it, before the store is created."""
    from click.testing import CliRunner

    from dedupe.cli import main

    wire, copy = (sample_by_id[i] for i in ("mpa-bridge", "valley-courier-bridge"))
    items = "".join(f"<item><title>{d['title']}</title><link>https://example.org/{d['id']}</link>"
                    f"<guid>{d['id']}</guid><description>{d['text']}</description></item>" for d in (wire, copy))
    feed = tmp_path / "feed.xml"
    feed.write_text(f'<?xml version="1.0"?><rss version="2.0"><channel><title>Desk</title>{items}</channel></rss>',
                    encoding="utf-8")
    bad = tmp_path / "model.json"
    bad.write_text("{}", encoding="utf-8")
    db = tmp_path / "news.db"
    result = CliRunner().invoke(main, ["watch", str(feed), "--store", str(db), "--no-fetch", "--model", str(bad)])
    assert result.exit_code == 1 and str(bad) in result.output and "Traceback" not in result.output
    assert not db.exists()
    def clusters(store, *flags):
        run = CliRunner().invoke(main, ["watch", str(feed), "--store", str(store), "--no-fetch", "-q",
                                        "--format", "json", *flags])
        assert run.exit_code == 0, run.output
        return json.loads(run.output)["clusters"]

    assert clusters(db, "--threshold", "1.0") == []
    assert len(clusters(tmp_path / "default.db")) == 1


def test_the_same_text_on_another_day_is_left_to_the_model():
    """A routine notice repeated word for word for another session (days later) is not forced
    into a link; the same text within a day, or undated, is."""
    rows = np.zeros((3, len(NAMES)))
    rows[:, NAMES.index("jaccard")] = 1.0
    rows[1, NAMES.index("log_days")] = np.log1p(14.0)  # two weeks apart
    rows[2, NAMES.index("days_unknown")] = 1.0
    model = Verifier.default().with_threshold(1.0)  # the model alone links nothing
    assert model.decide(rows).tolist() == [True, False, True]


ZURICH_OPENING = ("ZURICH EXCHANGE OPENING - APRIL 7 - The dollar opened at 1.5128/38 Swiss francs, against "
                  "1.5185/95 at Monday's close. Sterling 2.4526/57, mark 83.09/19, French franc 24.97/25.00, "
                  "guilder 73.61/71, lira 0.11659/75 per 100, yen 1.0424/38 per 100. Dealers said trading was "
                  "quiet ahead of the U.S. trade figures.")
ZURICH_CLOSING = ("ZURICH EXCHANGE CLOSING - APRIL 7 - The dollar closed at 1.5140/50 Swiss francs, against "
                  "1.5128/38 at the opening. Sterling 2.4469/4501, mark 82.83/93, French franc 24.90/94, "
                  "guilder 73.43/55, lira 0.11630/46 per 100, yen 1.0414/28 per 100. Dealers said trading was "
                  "quiet ahead of the U.S. trade figures.")


def test_snapshots_of_one_market_at_two_sessions_are_not_linked():
    """The opening and the closing rates of one day share their wording and some quotes: a
    template of two sessions, not a copy.  The same snapshot sent again is a duplicate."""
    resent = ZURICH_OPENING.replace("Dealers said", "Dealers said that")
    matches = run([ZURICH_OPENING, ZURICH_CLOSING, resent], [(0, 1), (0, 2), (1, 2)])
    assert [(m.a, m.b) for m in matches] == [(0, 2)]


def test_headings_name_their_sessions():
    from dedupe.text.headings import heading, sessions

    assert sessions("PRS PARIS/LE HAVRE COFFEE OPG - APR07") == {"open"}
    assert sessions("PRS PARIS/LE HAVRE COFFEE CLSG - APR 07") == {"close"}
    assert sessions("SINGAPORE RUBBER 1630 - RSS ONE") == {"t1630"}
    assert sessions("MIDWEST GRAIN FUTURES 10:50   EDT") == {"t1050"}
    assert sessions("OPEC OUTPUT SEEN STEADY IN 1987") == set()  # a year is no time of day
    assert sessions("ACME SETS 2.5 PCT DIVIDEND") == set()
    titled = Document("1", "The dollar firmed at the close in quiet trade.", title="ZURICH GOLD CLOSING")
    assert heading(titled) == "ZURICH GOLD CLOSING"
    untitled = Document("2", "LONDON METAL INDICATIONS AT 0900 - copper 880-82, lead 300-02, zinc 450-52 and tin")
    assert heading(untitled) == "LONDON METAL INDICATIONS AT 0900 -" and sessions(heading(untitled)) == {"t0900"}
    assert heading(Document("3", "Officials closed the bridge this morning at 10:30.")) == ""  # prose: no slug
    assert sessions("Kestrel to shed 1,200 jobs as its base closes") == set()  # a headline in prose: times only
    assert sessions("Markets at 10:30: stocks open higher") == {"t1030"}
