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


def test_ngram_masks_and_runs_match_their_plain_definitions(sample_docs):
    """The fast forms of the diff's helpers against the word-by-word loops they replace."""
    import numpy as np

    from dedupe.diff import _runs, shared_ngram_mask, shared_ngram_masks
    from dedupe.model import Document
    from dedupe.normalize import normalize

    def plain_mask(tokens, other, n):
        mask = np.zeros(len(tokens), dtype=bool)
        if not tokens or not other:
            return mask
        n = min(n, len(tokens), len(other))
        grams = {tuple(other[i:i + n]) for i in range(len(other) - n + 1)}
        for i in range(len(tokens) - n + 1):
            if tuple(tokens[i:i + n]) in grams:
                mask[i:i + n] = True
        return mask

    def plain_runs(doc, labels):
        sentence_of = np.zeros(len(doc.tokens), dtype=np.int64)
        for k, sent in enumerate(doc.sentences):
            sentence_of[sent.tok_start:sent.tok_end] = k
        runs = []
        for t, label in enumerate(labels):
            if runs and runs[-1][2] == label and sentence_of[t] == sentence_of[t - 1]:
                runs[-1] = (runs[-1][0], doc.ends[t], label)
            else:
                runs.append((doc.starts[t], doc.ends[t], label))
        return runs

    docs = [normalize(Document(d["id"], d["text"])) for d in sample_docs[:12]] + [normalize(Document("e", ""))]
    rng = np.random.default_rng(3)
    for a, b in zip(docs, docs[1:] + docs[:1]):
        for n in (1, 2, 3, 5):
            fast_a, fast_b = shared_ngram_masks(a.tokens, b.tokens, n)
            assert np.array_equal(fast_a, plain_mask(a.tokens, b.tokens, n))
            assert np.array_equal(fast_b, plain_mask(b.tokens, a.tokens, n))
            assert np.array_equal(shared_ngram_mask(a.tokens[:2], b.tokens, n), plain_mask(a.tokens[:2], b.tokens, n))
        labels = list(rng.choice(["kept", "kept", "reworded", "added"], size=len(a.tokens)))
        assert _runs(a, labels) == plain_runs(a, labels)
        assert _runs(a, ["added"] * len(a.tokens)) == plain_runs(a, ["added"] * len(a.tokens))
