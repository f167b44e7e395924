"""The local executor: results in input order whatever the jobs; a failing or dying worker is an error."""
import os
import signal

import pytest

from dedupe.engines.local import LocalExecutor, WorkerError

HEADLINES = [f"Storm closes {n} schools across the county as rivers rise" for n in range(40)]


def _words(chunk, shared):
    return [(len(h.split()), shared, os.getpid()) for h in chunk]


def _id_text(chunk, shared):
    return [h.upper() for h in chunk], shared


@pytest.mark.parametrize("ship", [False, True])
def test_forked_workers_give_the_in_process_results(ship):
    alone = LocalExecutor(1).map(_words, HEADLINES, "shared", min_items=1)
    forked = LocalExecutor(2).map(_words, HEADLINES, "shared", min_items=1, ship=ship)
    assert [r[:2] for r in forked] == [r[:2] for r in alone]
    assert {r[2] for r in alone} == {os.getpid()}
    assert os.getpid() not in {r[2] for r in forked}  # really run elsewhere


def test_shipped_chunks_are_packed():
    got = LocalExecutor(2).map(lambda chunk, shared: list(chunk), HEADLINES, None, min_items=1, ship=True,
                               pack=_id_text)
    assert got == [h.upper() for h in HEADLINES]


def _fails_on_seven(chunk, shared):
    if any("7 schools" in h for h in chunk):
        raise ValueError("bad headline")
    return list(chunk)


def test_a_worker_exception_is_raised_in_the_parent():
    with pytest.raises(ValueError, match="bad headline"):
        LocalExecutor(2).map(_fails_on_seven, HEADLINES, None, min_items=1)


def _dies(chunk, shared):
    if any("7 schools" in h for h in chunk):
        os.kill(os.getpid(), signal.SIGKILL)
    return list(chunk)


def test_a_killed_worker_is_an_error_not_a_hang():
    with pytest.raises(WorkerError, match="died"):
        LocalExecutor(2).map(_dies, HEADLINES, None, min_items=1)
