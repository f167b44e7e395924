import numpy as np

from dedupe.config import VerifyOptions
from dedupe.fingerprint import Stemmer, fingerprint
from dedupe.model import Document
from dedupe.normalize import normalize
from dedupe.verify import SentenceVectors, monotone_alignment, verify


def run(docs, pairs=((0, 1),)):
    norm = [normalize(Document(str(i), t)) for i, t in enumerate(docs)]
    stemmer = Stemmer()
    fp = fingerprint(norm, stemmer=stemmer)
    return verify(np.array(pairs), fp, SentenceVectors(norm, fp, stemmer), VerifyOptions())


def test_monotone_alignment_keeps_order():
    sims = np.array([[0.9, 0.0, 0.0],
                     [0.0, 0.1, 0.8],
                     [0.0, 0.7, 0.0]])
    # (1,2) and (2,1) cross: only one of them can be in an in-order alignment
    assert monotone_alignment(sims, 0.2) == [(0, 0), (1, 2)]
    assert monotone_alignment(sims, 0.95) == []


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
