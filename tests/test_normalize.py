"""Normalization: tokens, sentences, furniture and content hashes; the compiled fast paths
equal the plain definitions and the regexes."""
import random
import re
from pathlib import Path

import numpy as np

from dedupe.model import Document
from dedupe.text.normalize import (ascii_contents, boilerplate_spans, content_hash, content_tokens,
                                   content_tokens_joined, fold_token, normalize, tokenize)
from dedupe.text.sentences import sentence_ranges, sentence_spans, text_codes
from dedupe.stages.read import read_documents
from reference.text import (TOKEN, reference_boilerplate_spans, reference_fold, reference_normalize,
                            reference_sentence_spans)

PA_STYLE = """  ------------------------------------------------------------------------
                  02:49 07/01/00: Page 1 (HHH) SHOWBIZ Ferry
  ------------------------------------------------------------------------
(with pix)<
\x19FERRY HITS HARBOUR WALL<
\x19By Jane Marsh, PA News<
\x19A passenger ferry struck the harbour wall at Port Calder last
night, injuring 14 people.<
\x19The operator said the vessel would be inspected.<
end<
"""


def test_wire_furniture_yields_no_tokens():
    n = normalize(Document("pa", PA_STYLE))
    assert n.tokens[:3] == ("ferry", "hits", "harbour")
    for word in ("page", "hhh", "showbiz", "pix", "marsh", "end"):
        assert word not in n.tokens


def test_offsets_point_into_original_text():
    text = "Ministers’ plan FAILS, says Ms O'Neill."
    n = normalize(Document("x", text))
    assert n.tokens == ("ministers", "plan", "fails", "says", "ms", "o'neill")
    assert [text[s:e] for s, e in zip(n.starts, n.ends)][0] == "Ministers"


def test_sentences_follow_paragraphs_and_punctuation_not_line_wraps():
    n = normalize(Document("pa", PA_STYLE))
    spans = [PA_STYLE[s.start:s.end].strip() for s in n.sentences]
    assert spans[0].endswith("FERRY HITS HARBOUR WALL<")
    assert "last\nnight, injuring 14 people." in spans[1]
    assert spans[2].startswith("\x19The operator")
    text = "Rain fell. Roads closed!\n\nA new paragraph starts \"here\". Then 3 more."
    assert len(normalize(Document("t", text)).sentences) == 4


def test_content_hash_ignores_case_and_spacing():
    a = normalize(Document("a", "Storm hits the coast.\n\nFerries halted."))
    b = normalize(Document("b", "STORM hits  the coast. Ferries halted"))
    c = normalize(Document("c", "Storm hits the coast. Ferries resumed."))
    assert a.content_hash == b.content_hash != c.content_hash


# ---------------------------------------------------------------- fast paths vs the plain definitions

ALL_ASCII = "".join(map(chr, range(128)))

TRICKY_TEXTS = [
    PA_STYLE,
    PA_STYLE.replace("\n", "\r\n"),
    "Ministers’ plan FAILS, says Ms O'Neill. Rock ’n’ roll’s ‘comeback’ -- O’Brien's ’90s.",
    "Straße in Köln: MASSE vs Maße. İstanbul’s ﬁnance ﬂoor; ＦＵＬＬＷＩＤＴＨ １２３ ２⁵ ½ Ⅻ.\n\nΣίσυφος ΌΣΟΣ.",
    "Émigrés in Zürich\u00a0said\u2009“no”.\n\n\u00a0\nBy Anna Åberg, Reuters\nend\nNext_story_1987 won't fail__x '' a'b'c ’’ x’’y.",
    "  ----------\nBY JOHN SMITH\n(see pix)\n" + "x" * 130 + "\nmore\n" + " " * 200 + "by line\n02:49 07/01/00: slug\nENDS",
    "Line one\x0bline two\x0cthree\x1cfour\x85five\u2028six\u2029seven\r\neight\rnine",
    ALL_ASCII + "\n" + ALL_ASCII[::-1] + "\n" + "".join(map(chr, range(128, 1200))),
    "",
    "   \n\n  ",
    "by",
    "Dr. Smith arrived at 3 p.m. on Jan. 5. \"Hello,\" he said! (Quietly.) [Aside.] Then 4,000 left.",
]


def test_fold_of_every_ascii_character_is_lower():
    # NFKC and casefold() are lower() on ASCII: the fast path of fold_token and tokenize
    for c in ALL_ASCII:
        assert reference_fold(c) == c.lower() == fold_token(c)
        assert bool(re.fullmatch(r"\w", c)) == bool(re.fullmatch(r"\w", c.lower()))
    assert reference_fold(ALL_ASCII) == ALL_ASCII.lower()


def test_fold_token_matches_definition_on_non_ascii():
    for token in ["Straße", "İstanbul", "ﬁnance", "ＦＵＬＬ", "O’Brien", "ΌΣΟΣ", "Ⅻ", "２⁵", "émigré", "x’’y"]:
        assert fold_token(token) == reference_fold(token)


def test_tokenize_matches_regex_tokens_and_offsets():
    for text in TRICKY_TEXTS:
        tokens, starts, ends = tokenize(text)
        matches = list(TOKEN.finditer(text))
        assert starts == [m.start() for m in matches]
        assert ends == [m.end() for m in matches]
        assert tokens == [reference_fold(m.group()) for m in matches]


def test_boilerplate_spans_match_line_by_line_definition():
    for text in TRICKY_TEXTS:
        assert boilerplate_spans(text) == reference_boilerplate_spans(text)
    assert boilerplate_spans(PA_STYLE)


def test_normalize_matches_reference_definition():
    for text in TRICKY_TEXTS:
        n = normalize(Document("t", text))
        assert (n.tokens, n.starts, n.ends, n.sentences, n.content_hash) == reference_normalize(text)


def test_ascii_tokenizer_matches_regex_on_every_character_pair_and_apostrophes():
    # the compiled ASCII scan against TOKEN: every ASCII character next to letters and apostrophes
    pieces = [c for c in ALL_ASCII] + ["'", "''", "a'", "'a", "a'b", "a''b", "a'b'c", "1'2", "_'_", "a' b", "'a'"]
    texts = [f"x{p}y {p}z{p} {p}" for p in pieces] + ["".join(pieces), "".join(reversed(pieces)), "a'", "'", "a"]
    for text in texts:
        tokens, starts, ends = tokenize(text)
        matches = list(TOKEN.finditer(text))
        assert (starts, ends) == ([m.start() for m in matches], [m.end() for m in matches]), text
        assert tokens == [reference_fold(m.group()) for m in matches]


# ---------------------------------------------------------------- compiled scans vs the regexes
SAMPLE_TEXTS = [d.text for d in read_documents(
    [Path(__file__).resolve().parents[1] / "data" / "sample"])]


def _random_texts(pieces, count, seed, longest=30):
    rng = random.Random(seed)
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(0, longest))) for _ in range(count)]


def test_space_test_of_sentence_scan_is_regex_whitespace_on_every_code_point():
    from dedupe.text.sentences import _is_space

    everything = "".join(map(chr, range(0x110000)))
    spaces = {m.start() for m in re.finditer(r"\s", everything)}
    assert len(spaces) > 20
    assert [c for c in range(0x110000) if _is_space(c)] == sorted(spaces)


def test_sentence_scan_matches_regexes():
    # every character the patterns name, next to letters, digits, blanks and line ends
    pieces = list('aA1.!?:"\'”’)](["“‘ \t\n\r<Zz9\x0b\x1c') + ["\xa0", "\x85", "\u2028", "À", "ɏ", "ɐ", "\u3000", ". ", ".\n\n"]
    texts = TRICKY_TEXTS + SAMPLE_TEXTS + _random_texts(pieces, 20000, seed=1)
    texts += [t.encode("ascii", "ignore").decode() for t in texts]  # the ASCII (byte) variant of the scan too
    for text in texts:
        assert sentence_spans(text) == reference_sentence_spans(text), repr(text)


def test_furniture_candidates_give_line_by_line_definition():
    pieces = ["end", "ENDS", "more", "Mfl", "By Jane Doe", "by x, PA News", "(with pix)", "(SEE  PIX)", "-----",
              "== ==", "02:49 07/01/00: Page", "1:23 1/2/99:x", " ", "\t", "<", "\n", "\r", "\r\n", "\x0b", "\x0c",
              "\x1c", "\x1d", "\x1e", "\x19", "\x00", "a", "Z", "9", "#", "~", "*", "_", "=", "x" * 50]
    texts = TRICKY_TEXTS + SAMPLE_TEXTS + _random_texts(pieces, 20000, seed=2, longest=12)
    found = 0
    for text in texts:
        spans = boilerplate_spans(text)
        assert spans == reference_boilerplate_spans(text), repr(text)
        found += bool(spans)
    assert found > 1000


def test_content_tokens_joined_matches_content_tokens_and_hash():
    # "\ufdfb" folds to two words with a space between: the joined bytes still read as " ".join
    texts = TRICKY_TEXTS + SAMPLE_TEXTS + ["", "Storm \ufdfb hits", "ONLY ascii HERE", "end\n"]
    for text in texts:
        joined, count, starts, digest = content_tokens_joined(text)
        expected, expected_starts, _ = content_tokens(text)
        assert (joined, count, starts.tolist(), digest) == (
            " ".join(expected).encode("utf-8"), len(expected), expected_starts, content_hash(expected)), repr(text)


def test_ascii_contents_of_many_texts_match_each_texts_tokens_and_sentences():
    # furniture lines (dropped tokens) at the texts' starts and ends, texts with no tokens or only
    # furniture, next to each other: nothing of one text may leak into the next
    pieces = ["end", "ENDS\n", "By Jane Doe\n", "(with pix)", "-----\n", "02:49 07/01/00: Page 1\n", "\n", "\r\n",
              " ", "<\n", "Storm hits coast. ", "Ferries HALTED! ", "O'Neill's 1990s plan", "x" * 130, "\x0b", ".", "A"]
    texts = [t.encode("ascii", "ignore").decode() for t in TRICKY_TEXTS + SAMPLE_TEXTS]
    texts += ["", "end", "  \n"] + _random_texts(pieces, 3000, seed=3, longest=10)
    contents = ascii_contents(texts)
    assert ascii_contents([]).counts == []
    dropped = 0
    for i, text in enumerate(texts):
        tokens, starts, _ = content_tokens(text)
        joined = contents.joined[contents.at[i]:contents.at[i] + contents.sizes[i]]
        assert (joined, contents.counts[i], contents.hashes[i]) == (
            " ".join(tokens).encode("ascii"), len(tokens), content_hash(tokens)), repr(text)
        rows = contents.ranges[contents.sentence_at[i]:contents.sentence_at[i + 1]].tolist()
        assert rows == [[a, b] for _, _, a, b in sentence_ranges(text, starts)], repr(text)
        dropped += len(tokens) < len(tokenize(text)[0])
    assert dropped > 500
    assert contents.joined[:-1] == b" ".join(" ".join(content_tokens(t)[0]).encode() for t in texts
                                             if content_tokens(t)[0])


def test_ascii_normalize_matches_reference_definition():
    # the ASCII path (compiled bounds and furniture, str.split of the blanked bytes) against the
    # regex definition: the sample texts, their ASCII variants, and random mixes of furniture
    # lines, apostrophes, datelines and credits
    pieces = ["By Jane Doe, PA News\n", "end\n", "(with pix)<\n", "-----\n", "02:49 07/01/00: Page 1\n",
              "LONDON (Reuters) - ", "(AP) ", "don't ", "'quoted' ", "a''b ", "x'", "'y ", "O'Neill's ",
              "Shares FELL 3.5 pct. ", "\n\n", "\r\n", "<\n", " ", "_", "__x_ ", "Word", "\t", "1987", "\x19"]
    ascii_texts = [t.encode("ascii", "ignore").decode() for t in TRICKY_TEXTS + SAMPLE_TEXTS]
    texts = ascii_texts + _random_texts(pieces, 3000, seed=3)
    for text in texts:
        assert text.isascii()
        n = normalize(Document("t", text))
        assert (n.tokens, n.starts, n.ends, n.sentences, n.content_hash) == reference_normalize(text), repr(text)
        tokens, starts, ends = content_tokens(text)
        assert (tuple(tokens), tuple(starts), tuple(ends)) == (n.tokens, n.starts, n.ends)


def test_lowered_tokens_only_blanks_everything_but_the_lowered_tokens():
    from dedupe.text.normalize import _ASCII_WORD, _lowered_tokens_only, _token_bounds

    for text in [t.encode("ascii", "ignore").decode() for t in TRICKY_TEXTS + SAMPLE_TEXTS]:
        codes = text_codes(text)
        first, last = _token_bounds(codes, _ASCII_WORD)
        kept = list(zip(first.tolist(), last.tolist()))[::2]  # every other token, as furniture leaves gaps
        expected = [" "] * len(text)
        for s, e in kept:
            expected[s:e] = text[s:e].lower()
        got = _lowered_tokens_only(codes, np.array([s for s, _ in kept], dtype=np.int64),
                                   np.array([e for _, e in kept], dtype=np.int64))
        assert got.tobytes().decode("ascii") == "".join(expected)


def test_tokenizer_matches_regex_on_every_code_point_and_apostrophes():
    # one scan serves every text: on non-ASCII text its word table asks \w of each distinct character
    everything = "".join(map(chr, range(0x110000)))
    tokens, starts, ends = tokenize(everything)
    matches = list(TOKEN.finditer(everything))
    assert (starts, ends) == ([m.start() for m in matches], [m.end() for m in matches])
    assert tokens == [reference_fold(m.group()) for m in matches]
    pieces = ["é", "ß", "’", "'", "’’", "x’y", "Σ", "٣", "²", "ﬁ", "\u0301", "\u200d", "😀", "中文", " ", "-", "_", "a", "1"]
    for text in _random_texts(pieces, 3000, seed=4):
        matches = list(TOKEN.finditer(text))
        tokens, starts, ends = tokenize(text)
        assert (tokens, starts, ends) == ([reference_fold(m.group()) for m in matches],
                                          [m.start() for m in matches], [m.end() for m in matches]), repr(text)
