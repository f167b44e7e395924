"""The compiled token numbering gives the numbers a first-seen dict gives, on real text."""
from pathlib import Path

import numpy as np
import pytest

from conftest import generated_texts
from dedupe.text.normalize import content_tokens
from dedupe.text.numbering import TokenNumbers
from dedupe.stages.read import read_documents

ROOT = Path(__file__).resolve().parents[1]


def _corpus_tokens():
    """Each document's folded content tokens: the sample, 4,500 generated articles (more than
    50,000 distinct words, so the table grows past its first size) and a few texts with digits
    in other scripts and ligatures that fold to spaces."""
    texts = [d.text for d in read_documents([ROOT / "data" / "sample"])] + generated_texts(4500)
    texts += ["Le ²nd ٣٣ x²5 Ⅻ straße ﬁnance", "Storm \ufdfb hits \ufdfa", "a" * 5000]
    return [content_tokens(text)[0] for text in texts]


TOKENS = _corpus_tokens()


def _reference(docs):
    """Numbers by a dict, in first-seen order, and the distinct tokens in that order."""
    numbers: dict[str, int] = {}
    ids = [numbers.setdefault(t, len(numbers)) for tokens in docs for t in tokens]
    return ids, list(numbers)


@pytest.mark.parametrize("capacity, hash_bits", [(1 << 16, 64), (2, 64), (4, 3)])
def test_numbers_are_a_first_seen_dicts_in_batches(capacity, hash_bits):
    # capacity 2 grows the table (and the arena) many times; 3-bit hashes make thousands
    # of different tokens share a hash, which only the byte comparison tells apart
    docs = TOKENS if hash_bits == 64 else TOKENS[:400] + TOKENS[-3:]
    expected, distinct = _reference(docs)
    assert len(distinct) > (50000 if hash_bits == 64 else 3000)
    assert any(not t.isascii() for t in distinct) and any(" " in t for t in distinct)
    table = TokenNumbers(capacity, hash_bits)
    ids, learnt = [], []
    for lo in range(0, len(docs), 500):  # batches, one table
        flat = [t for tokens in docs[lo:lo + 500] for t in tokens]
        known = len(table)
        ids += table.number("\x00".join(flat).encode("utf-8"), b"\x00").tolist()
        learnt += table.new_tokens(known)
    assert ids == expected
    assert learnt == distinct and len(table) == len(distinct)


def test_space_joined_buffers_and_empty_ones():
    docs = [tokens for tokens in TOKENS[:2000] if not any(" " in t for t in tokens)]
    expected, distinct = _reference(docs)
    table = TokenNumbers(8)
    assert table.number(b"").tolist() == [] and len(table) == 0
    ids = table.number(" ".join(t for tokens in docs for t in tokens).encode("utf-8"))
    assert ids.dtype == np.int64 and ids.tolist() == expected
    assert table.new_tokens(0) == distinct and table.new_tokens(len(table)) == []
    assert table.number(f"{distinct[5]} {distinct[0]} {distinct[5]}".encode("utf-8")).tolist() == [5, 0, 5]
    again = table.number(" ".join(distinct).encode("utf-8"))  # nothing new
    assert again.tolist() == list(range(len(distinct))) and len(table) == len(distinct)


def test_digit_flags_leave_only_non_ascii_undecided():
    words = ["storm", "1990s", "²nd", "٣٣", "x²5", "ⅻ", "straße", "b52", "é9", "9é"]
    table = TokenNumbers()
    table.number(" ".join(words).encode("utf-8"))
    flags = table.digit_flags(0)
    assert flags.tolist() == [0, 1, 2, 2, 1, 2, 2, 1, 1, 1]
    decided = [f == 1 or (f == 2 and any(c.isdigit() for c in w)) for f, w in zip(flags, words)]
    assert decided == [any(c.isdigit() for c in w) for w in words]
    assert table.digit_flags(3).tolist() == flags[3:].tolist()
