"""Numbers for distinct tokens, found by compiled code from the tokens' bytes.

A scan turns every token of every document into a number (its first-seen rank)
so that the rest of the digest is array work.  A dict does this in C, but only
for Python strings: a string per token must be built first just to be looked
up, and most tokens are seen many times.  Here the tokens stay in the byte
buffer normalization already makes (the folded tokens joined by one separator,
which for a space is also what the content hash reads), and a compiled scan
looks each one up in an exact hash table: open addressing over an array, with
each distinct token's bytes kept and compared on a hash hit, so two tokens never
share a number however their hashes collide.  Only tokens seen for the first
time become Python strings (decoded from the byte arena), once per scan.

A slot is one 32-byte row -- the token's hash, its length, its number and either
its bytes (a token of at most 8 bytes, most of them) or where they are in the
arena -- so a lookup usually touches one cache line: on a corpus with a large
vocabulary the table outgrows the caches, and separate arrays for numbers,
hashes, offsets and bytes cost a miss each (three times slower on 10k articles).
"""
from __future__ import annotations

import numba
import numpy as np

_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)
# a slot's columns (uint64): the hash, the length, the number + 1 (0: an empty slot), and
# the bytes (little-endian, zero-padded) for a token of at most 8 bytes, else its arena offset
_HASH, _SIZE, _NUMBER, _KEY = 0, 1, 2, 3


class TokenNumbers:
    """Each distinct token's number, in first-seen order (0, 1, 2, ...), and its bytes.

    `number` gives a buffer's tokens their numbers, learning new ones; `new_tokens`
    decodes the tokens learnt since some count.  The arrays grow as needed (the
    table's load stays at most one half); `capacity` only sets where they start.
    """

    def __init__(self, capacity: int = 1 << 16, hash_bits: int = 64) -> None:
        # hash_bits < 64 keeps only that many bits of each hash: tests use it to make
        # different tokens share hashes, which the byte comparison must tell apart
        self._hash_mask = np.uint64((1 << hash_bits) - 1)
        slots = 1 << max(int(capacity) - 1, 1).bit_length()  # a power of two >= capacity
        self._slots = np.zeros((slots, 4), dtype=np.uint64)
        self._arena = np.empty(8 * slots, dtype=np.uint8)  # every token's bytes, each followed by a NUL
        self._offsets = np.zeros(slots // 2 + 1, dtype=np.int64)  # token k is arena[o[k]:o[k + 1] - 1]
        self.count = 0

    def __len__(self) -> int:
        return self.count

    def number(self, joined: bytes, separator: bytes = b" ") -> np.ndarray:
        """The numbers (int64) of the tokens of `joined`, the tokens joined by `separator`
        (one byte that no token holds); b"" holds no tokens."""
        if not joined:
            return np.empty(0, dtype=np.int64)
        buf = np.frombuffer(joined, dtype=np.uint8)
        ids = np.empty(np.count_nonzero(buf == separator[0]) + 1, dtype=np.int64)  # faster than bytes.count
        start = done = 0
        while True:
            start, done, self.count = _number_tokens(buf, separator[0], self._hash_mask, ids, start, done,
                                                     self._slots, self._arena, self._offsets, self.count)
            if done == len(ids):
                return ids
            self._grow(joined.find(separator, start) % (len(joined) + 1) - start)

    def _grow(self, size: int) -> None:
        """Room for one more token of `size` bytes.  (The kernel stops for this instead of
        growing the arrays itself: an array variable it could replace costs reference
        counting on every token, 15 times the lookup.)"""
        if 2 * (self.count + 1) > len(self._slots):  # keep the load at most one half
            self._slots = _rehash(self._slots, 2 * len(self._slots))
        used = int(self._offsets[self.count])
        if used + size + 1 > len(self._arena):
            self._arena = np.concatenate([self._arena[:used], np.empty(max(used, size + 1), dtype=np.uint8)])
        if self.count + 2 > len(self._offsets):
            self._offsets = np.concatenate([self._offsets, np.empty(len(self._offsets), dtype=np.int64)])

    def new_tokens(self, since: int) -> list[str]:
        """Tokens number `since` onwards, as str (utf-8)."""
        if since >= self.count:
            return []
        raw = self._arena[self._offsets[since]:self._offsets[self.count] - 1].tobytes()
        return raw.decode("utf-8").split("\x00")

    def digit_flags(self, since: int) -> np.ndarray:
        """For tokens number `since` onwards: 1 if a token holds an ASCII digit, 2 if it
        does not but holds other than ASCII (str.isdigit must decide), else 0."""
        return _digit_flags(self._arena, self._offsets, since, self.count)


@numba.njit(cache=True, nogil=True)
def _number_tokens(buf, sep, hash_mask, ids, start, done, slots, arena, offsets, count):
    """Numbers the tokens of buf from byte `start` (token `done`) into `ids`, learning new
    ones, until the end or until a new token does not fit; returns where it stopped, the
    tokens numbered and the count of distinct tokens."""
    n = len(buf)
    mask = len(slots) - 1
    while start <= n:
        end = start
        h = _FNV_OFFSET
        key = np.uint64(0)
        while end < n and buf[end] != sep:
            c = np.uint64(buf[end])
            h = (h ^ c) * _FNV_PRIME
            if end - start < 8:
                key |= c << np.uint64(8 * (end - start))
            end += 1
        h ^= h >> np.uint64(29)  # FNV's low bits mix poorly; the slot comes from them
        h &= hash_mask
        size = end - start
        i = np.int64(h) & mask
        k = -1
        while True:
            number = slots[i, _NUMBER]
            if number == 0:
                break
            if slots[i, _HASH] == h and slots[i, _SIZE] == np.uint64(size):
                if size <= 8:
                    if slots[i, _KEY] == key:
                        k = np.int64(number) - 1
                        break
                else:
                    a = np.int64(slots[i, _KEY])
                    same = True
                    for j in range(size):
                        if arena[a + j] != buf[start + j]:
                            same = False
                            break
                    if same:
                        k = np.int64(number) - 1
                        break
            i = (i + 1) & mask
        if k < 0:  # a new token: the next number, if it fits
            used = offsets[count]
            if 2 * (count + 1) > len(slots) or used + size + 1 > len(arena) or count + 2 > len(offsets):
                return start, done, count
            for j in range(size):
                arena[used + j] = buf[start + j]
            arena[used + size] = 0
            offsets[count + 1] = used + size + 1
            slots[i, _HASH] = h
            slots[i, _SIZE] = size
            slots[i, _NUMBER] = count + 1
            slots[i, _KEY] = key if size <= 8 else np.uint64(used)
            k = count
            count += 1
        ids[done] = k
        done += 1
        start = end + 1
    return start, done, count


@numba.njit(cache=True, nogil=True)
def _rehash(slots, size):
    """The table's rows in `size` (a power of two) slots."""
    new_slots = np.zeros((size, 4), dtype=np.uint64)
    mask = size - 1
    for s in range(len(slots)):
        if slots[s, _NUMBER] == 0:
            continue
        i = np.int64(slots[s, _HASH]) & mask
        while new_slots[i, _NUMBER] != 0:
            i = (i + 1) & mask
        for c in range(4):
            new_slots[i, c] = slots[s, c]
    return new_slots


@numba.njit(cache=True, nogil=True)
def _digit_flags(arena, offsets, lo, hi):
    """`TokenNumbers.digit_flags` for tokens lo..hi-1."""
    out = np.zeros(hi - lo, dtype=np.int8)
    for k in range(lo, hi):
        for p in range(offsets[k], offsets[k + 1] - 1):
            c = arena[p]
            if 48 <= c <= 57:
                out[k - lo] = 1
                break
            if c >= 128:  # unless an ASCII digit comes later
                out[k - lo] = 2
    return out
