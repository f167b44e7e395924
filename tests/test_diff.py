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


def _plain_runs(doc, labels):
    """(start, end, label) runs of a text's token labels, cut where the label or the sentence changes:
    the plain definition of `diff._runs`."""
    sentence_of = [0] * len(doc.tokens)
    for k, s in enumerate(doc.sentences):
        sentence_of[s.tok_start:s.tok_end] = [k] * (s.tok_end - s.tok_start)
    out = []
    for t, label in enumerate(labels):
        if out and out[-1][2] == label and sentence_of[t] == sentence_of[t - 1]:
            out[-1] = (out[-1][0], doc.ends[t], label)
        else:
            out.append((doc.starts[t], doc.ends[t], label))
    return out


def test_ngram_masks_and_runs_match_their_plain_definitions(sample_docs):
    """The fast forms of the diff's helpers against the word-by-word loops they replace."""
    import numpy as np

    from dedupe.stages.textdiff import _runs, shared_ngram_mask, shared_ngram_masks
    from dedupe.model import Document
    from dedupe.text.normalize import normalize

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

    docs = [normalize(Document(d["id"], d["text"])) for d in sample_docs[:12]] + [normalize(Document("e", ""))]
    rng = np.random.default_rng(3)
    for a, b in zip(docs, docs[1:] + docs[:1]):
        for n in (1, 2, 3, 5):
            fast_a, fast_b = shared_ngram_masks(a.tokens, b.tokens, n)
            assert np.array_equal(fast_a, plain_mask(a.tokens, b.tokens, n))
            assert np.array_equal(fast_b, plain_mask(b.tokens, a.tokens, n))
            assert np.array_equal(shared_ngram_mask(a.tokens[:2], b.tokens, n), plain_mask(a.tokens[:2], b.tokens, n))
        labels = list(rng.choice(["kept", "kept", "reworded", "added"], size=len(a.tokens)))
        assert _runs(a, labels) == _plain_runs(a, labels)
        assert _runs(a, ["added"] * len(a.tokens)) == _plain_runs(a, ["added"] * len(a.tokens))


def _reference_diff(original, copy, threshold, stemmer):
    """The diff as first written: sklearn's TF-IDF, sets of n-gram tuples, a label per token."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    from dedupe.stages.textdiff import COPY_KINDS, KEPT_NGRAM, new_facts, sentence_words
    from dedupe.text.tfidf import _identity
    from dedupe.model import Diff, Segment, Span

    words_o, words_c = sentence_words(original, stemmer), sentence_words(copy, stemmer)
    if not any(words_o) or not any(words_c):
        sims = np.zeros((len(words_o), len(words_c)))
    else:
        vec = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, norm="l2", dtype=np.float32)
        vec.fit(words_o + words_c)
        sims = (vec.transform(words_o) @ vec.transform(words_c).T).toarray()
    aligned_c = {j for j in range(sims.shape[1]) if sims[:, j].max(initial=0.0) >= threshold}
    aligned_o = {i for i in range(sims.shape[0]) if sims[i].max(initial=0.0) >= threshold}

    def kept_mask(tokens, other):
        mask = [False] * len(tokens)
        if tokens and other:
            n = min(KEPT_NGRAM, len(tokens), len(other))
            grams = {tuple(other[i:i + n]) for i in range(len(other) - n + 1)}
            for i in range(len(tokens) - n + 1):
                if tuple(tokens[i:i + n]) in grams:
                    mask[i:i + n] = [True] * n
        return mask

    kept_c, kept_o = kept_mask(copy.tokens, original.tokens), kept_mask(original.tokens, copy.tokens)
    for j in aligned_c if sims.size else ():
        best = original.sentences[int(sims[:, j].argmax())]
        words = set(original.tokens[best.tok_start:best.tok_end])
        for t in range(copy.sentences[j].tok_start, copy.sentences[j].tok_end):
            kept_c[t] = kept_c[t] or copy.tokens[t] in words

    def sentence_label(doc, aligned, yes, no):
        labels = [no] * len(doc.tokens)
        for k, s in enumerate(doc.sentences):
            if k in aligned:
                labels[s.tok_start:s.tok_end] = [yes] * (s.tok_end - s.tok_start)
        return labels

    labels_c = ["kept" if k else label
                for k, label in zip(kept_c, sentence_label(copy, aligned_c, "reworded", "added"))]
    labels_o = ["kept" if k else label
                for k, label in zip(kept_o, sentence_label(original, aligned_o, "other", "removed"))]
    assert set(labels_c) <= set(COPY_KINDS)
    return Diff(segments=tuple(Segment(*r) for r in _plain_runs(copy, labels_c)),
                removed=tuple(Span(s, e) for s, e, kind in _plain_runs(original, labels_o) if kind == "removed"),
                new_facts=new_facts(copy, labels_c, original))


def test_diff_kernel_matches_the_plain_diff(sample_docs, seeds_if_present):
    """`Differ` (token and stem numbers, one compiled kernel per pair) against the diff written
    word by word with scikit-learn's TF-IDF, on the sample corpus, 40 generated articles (planted
    copies, rewrites, partial reuse) and, when present, the seeds and the METER corpus's (PA
    original, newspaper copy) texts."""
    import json

    from conftest import SHARED, generated_texts
    from dedupe.stages.textdiff import Differ, diff_documents
    from dedupe.text.fingerprint import Stemmer
    from dedupe.model import Document
    from dedupe.text.normalize import normalize

    texts = [d["text"] for d in sample_docs] + generated_texts(40) + list(seeds_if_present.values())
    meter = SHARED / "data" / "meter_showbiz" / "docs.jsonl"
    if meter.exists():
        with open(meter, encoding="utf-8") as fh:
            texts += [json.loads(line)["text"] for line in fh][:80]
    texts += ["", "Storm.", "The the the of and.", "Storm hits coast. Storm hits coast. Storm hits coast."]
    docs = [normalize(Document(str(k), t)) for k, t in enumerate(texts)]
    stemmer = Stemmer()
    pairs = list(zip(docs, docs[1:])) + [(docs[-6], docs[-5]), (docs[0], docs[0])]
    group = Differ(docs, stemmer)  # one numbering for all the texts, as for a cluster
    checked = 0
    for threshold in (0.2, 0.0, 0.5, 1.0):
        for original, copy in pairs:
            want = _reference_diff(original, copy, threshold, stemmer)
            assert group(original, copy, threshold) == want, (original.doc.id, copy.doc.id, threshold)
            assert diff_documents(original, copy, threshold, stemmer) == want
            checked += bool(want.segments)
    assert checked > 100
    # a stemmer that is a plain function, not a Stemmer: asked about each distinct token alone
    def plain(tokens):
        return stemmer(list(tokens))

    other = Differ(docs[:20], plain)
    for original, copy in pairs[:19]:
        assert other(original, copy, 0.2) == _reference_diff(original, copy, 0.2, stemmer)


def test_differ_sentence_stems_are_each_sentences_stems(sample_docs, seeds_if_present):
    """`_sentence_stem_rows` (through Differ): each sentence's stem ranks, read back as words, are
    the stemmer's stems of the sentence's tokens; the longest row sizes the tf table."""
    from dedupe.stages.textdiff import Differ
    from dedupe.text.fingerprint import Stemmer
    from dedupe.model import Document
    from dedupe.text.normalize import normalize

    texts = [d["text"] for d in sample_docs] + list(seeds_if_present.values()) + ["", "The the of.", "Storm. Ferries halted."]
    docs = [normalize(Document(str(k), t)) for k, t in enumerate(texts)]
    stemmer = Stemmer()
    differ = Differ(docs, stemmer)
    words = sorted({w for d in docs for s in d.sentences for w in stemmer(d.tokens[s.tok_start:s.tok_end])})
    rows = differ._sentence_stems.tolist()
    longest = 0
    for k, d in enumerate(docs):
        mine = rows[differ._sentence_bounds[k]:differ._sentence_bounds[k + 1]]
        assert len(mine) == len(d.sentences)
        for (a, b), s in zip(mine, d.sentences):
            assert [words[r] for r in differ._stems[a:b].tolist()] == stemmer(d.tokens[s.tok_start:s.tok_end])
            longest = max(longest, b - a)
        assert differ._has_stems[k] == any(stemmer(d.tokens[s.tok_start:s.tok_end]) for s in d.sentences)
    assert longest > 10 and len(differ._tf_weight) > longest
    assert not differ._has_stems[-2] and differ._has_stems[-1]
