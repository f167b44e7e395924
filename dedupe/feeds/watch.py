"""The watch loop: read each feed (and the pages its entries need), then store every feed's
new articles as one batch of the incremental engine, and report the run.

Every feed is read before any is stored, so an article that two feeds list is one article;
each feed is one transaction (its articles, index, links, stories and ETag together), so a
run killed at any moment loses nothing that the next run will not redo, and the articles of
a run that never finished are reported by the next one."""
from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..config import ScanOptions, WatchOptions
from ..engines.incremental import Item, index_layout, ingest, restory, story_clusters
from ..errors import FeedError, FetchError, OptionsError
from ..model import Edit, FeedStatus, Notify, Report, Skipped, WatchResult
from ..pipeline import diff as diff_texts
from ..report.text import plural
from ..store import FeedState, Store, snapshot, timestamp, utc_now
from ..text.fingerprint import Stemmer, TokenHasher
from .fetch import Fetcher
from .parse import entry_document, read_feed
from .urls import feed_address


def watch_feeds(feeds: Sequence[str], store: str, options: WatchOptions | None = None,
                progress: Notify | None = None, deliver: Callable[[WatchResult], None] | None = None
                ) -> WatchResult:
    """Read each feed (URL or file), store what is new and report where it came from.

    `deliver` is called with the result while the run still holds the store (the CLI
    writes the report there); the run is recorded as reported only once it returns, so
    when it fails, or the process is killed meanwhile, the next run reports the same
    articles again.

    Raises StoreBusyError when another run holds the store beyond ``options.wait``,
    StoreError for an unusable store; a feed that cannot be read is not an error
    but a FeedStatus with a `problem` (``result.ok`` is False).

    >>> result = watch_feeds(["https://example.org/rss"], "news.db")  # doctest: +SKIP
    >>> [c.id for c in result.report.clusters]                   # doctest: +SKIP
    """
    options = options or WatchOptions()
    feeds = list(dict.fromkeys(feed_address(f) for f in feeds if f.strip()))
    if not feeds:
        raise OptionsError("no feeds given")
    notify = progress or (lambda message: None)
    fetcher = Fetcher(options.fetch)
    layout = index_layout(options.scan)
    with Store.open(store, layout, wait=options.wait) as st:
        run, recovered = st.start_run("watch")
        try:
            started = utc_now()
            if recovered:
                notify(f"reporting the articles of interrupted {'run' if len(recovered) == 1 else 'runs'} "
                       f"{', '.join(map(str, recovered))}")
            dropped = _expire(st, options, run, notify) if options.keep_days else 0
            analysis = (TokenHasher(), Stemmer())  # their caches serve every feed of the run
            # every feed is read before any is stored, so an article two feeds list is one article
            batches = [_read_feed(st, fetcher, url, options, notify) for url in feeds]
            _keep_longest(batches)
            statuses = [_store_feed(st, batch, run, options, notify, analysis) for batch in batches]
            result = _run_result(st, run, recovered, started, tuple(statuses), dropped, options.scan)
            if deliver is not None:
                deliver(result)
        except BaseException:
            st.abandon_run(run)  # its articles (and those it recovered) go to the next run's report
            raise
        st.finish_run(run, recovered, len(result.new), sum(not s.ok for s in statuses))
    return result


# -- one feed -----------------------------------------------------------------------------

@dataclass
class _FeedBatch:
    """One feed as read (before anything is stored): its items, or why it was not read."""

    url: str
    state: FeedState
    checked: str
    feed: Any = None  # parse.Feed, None when it could not be read
    failure: str | None = None
    items: list[Item] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    retry: bool = False  # a transient failure: do not keep the ETag, so the next run reads the feed again
    kept: dict[str, int] = field(default_factory=dict)  # key -> text length of entries unchanged since stored


def _read_feed(st: Store, fetcher: Fetcher, url: str, options: WatchOptions, notify: Notify) -> _FeedBatch:
    """Fetch one feed and the pages its new entries need; nothing is written."""
    batch = _FeedBatch(url, st.feed_state(url), utc_now())
    try:
        batch.feed = feed = read_feed(url, fetcher, batch.state.etag, batch.state.last_modified)
    except (FetchError, FeedError) as exc:
        batch.failure = str(exc)
        return batch
    if feed.not_modified:
        return batch
    for warning in feed.warnings:
        notify(f"{url}: {warning}")
    cutoff = time.time() - options.keep_days * 86400 if options.keep_days else None
    for entry in feed.entries:
        if cutoff is not None and entry.published and timestamp(entry.published, cutoff) < cutoff:
            continue  # older than --keep-days: it would be dropped at once
        if st.is_forgotten(entry.key):
            continue
        stored = st.current(entry.key)
        if stored is not None and stored.entry_hash == entry.entry_hash:
            batch.kept[entry.key] = st.text_length(stored.id)  # the same entry as last time: no page to fetch
            continue
        try:
            doc = entry_document(entry, feed, fetcher if options.fetch_pages else None)
        except FetchError as exc:
            batch.problems.append(f"{entry.link}: {exc}")
            batch.retry = True
            continue
        if stored is not None and stored.feed != url and len(doc.text) < st.text_length(stored.id):
            # another feed of the outlet stored a fuller text of it: this one is its stub
            batch.kept[entry.key] = st.text_length(stored.id)
            continue
        if not doc.text.strip():
            # stored all the same (as an empty, skipped article) so it is reported once, not every run
            batch.problems.append(f"{entry.link or entry.key}: entry without text")
        batch.items.append(Item(entry.key, doc, entry.guid, url, entry.entry_hash))
    return batch


def _keep_longest(batches: list[_FeedBatch]) -> None:
    """An article listed twice in a run (by one feed or by two feeds of an outlet) is one
    article: the longest text is kept (the first feed's on a tie), the other listings dropped."""
    best: dict[str, tuple[int, int, int]] = {}  # key -> (length, -batch, -item)
    for b, batch in enumerate(batches):
        for key, length in batch.kept.items():
            best[key] = max(best.get(key, (-1, 0, 0)), (length, -b, 1))  # unchanged: wins ties
        for i, item in enumerate(batch.items):
            best[item.key] = max(best.get(item.key, (-1, 0, 0)), (len(item.doc.text), -b, -i))
    for b, batch in enumerate(batches):
        batch.items = [item for i, item in enumerate(batch.items) if best[item.key][1:] == (-b, -i)]


def _store_feed(st: Store, batch: _FeedBatch, run: int, options: WatchOptions, notify: Notify,
                analysis: tuple[TokenHasher, Stemmer]) -> FeedStatus:
    """Store one feed's batch and its state in one transaction."""
    url, state, checked, feed = batch.url, batch.state, batch.checked, batch.feed
    if feed is None:
        with st.transaction():  # keep the ETag: the feed was not read
            st.save_feed_state(FeedState(url, state.title, state.etag, state.last_modified, checked, "failed",
                                         batch.failure))
        return FeedStatus(url, "failed", title=state.title, problem=batch.failure)
    if feed.not_modified:
        with st.transaction():
            st.save_feed_state(FeedState(url, state.title, state.etag, state.last_modified, checked,
                                         "not modified", None))
        notify(f"{url}: not modified")
        return FeedStatus(url, "not modified", title=state.title)
    problem = _problem_line(batch.problems, len(feed.entries))
    if batch.items:
        notify(f"{url}: storing {plural(len(batch.items), 'entry', 'entries')}")
    with st.transaction():
        outcome = ingest(st, batch.items, run, options.scan, options.max_component, analysis)
        st.save_feed_state(FeedState(url, feed.title, None if batch.retry else feed.etag,
                                     None if batch.retry else feed.last_modified, checked,
                                     "read" if problem is None else "partly read", problem))
    notify(f"{url}: {plural(len(feed.entries), 'entry', 'entries')}, {outcome.stored} new, {outcome.edited} edited")
    return FeedStatus(url, "read", title=feed.title, entries=len(feed.entries), new=outcome.stored,
                      edited=outcome.edited, problem=problem)


def _problem_line(problems: list[str], entries: int) -> str | None:
    if not problems:
        return None
    shown = "; ".join(problems[:3]) + ("; ..." if len(problems) > 3 else "")
    return f"{len(problems)} of {entries} entries could not be read: {shown}"


def _expire(st: Store, options: WatchOptions, run: int, notify: Notify) -> int:
    now = time.time()
    cutoff = now - options.keep_days * 86400
    with st.transaction():
        ids = st.expired(cutoff)
        neighbours = st.drop(ids, now)
        st.forget_tombstones(cutoff)
        restory(st, neighbours, run, options.max_component, options.scan, Stemmer())
    if ids:
        notify(f"dropped {plural(len(ids), 'article')} older than {plural(options.keep_days, 'day')}")
    return len(ids)


def _run_result(st: Store, run: int, recovered: tuple[int, ...], started: str, feeds: tuple[FeedStatus, ...],
                dropped: int, options: ScanOptions) -> WatchResult:
    with snapshot(st):
        arts = st.articles_of_runs([run, *recovered])
        stories = sorted({a.story for a in arts if a.story is not None})
        clusters, texts = story_clusters(st, stories, options, marked={a.key for a in arts})
        born = st.story_runs(stories)
        edits = []
        for art in arts:
            if art.version > 1:
                earlier = [v for v in st.versions(art.key) if v.version < art.version]
                if earlier:
                    before = earlier[-1]
                    edits.append(Edit(id=art.key, version=art.version, previous=before.version,
                                      previous_seen=before.seen,
                                      diff=diff_texts(before.text or "", art.text or "",
                                                      options.diff.match),
                                      before=before.document(), after=art.document()))
    runs = {run, *recovered}
    status = {f"s{s}": ("new" if born.get(s) in runs else "grown") for s in stories}
    for art in arts:
        texts.setdefault(art.key, art.document())
    report = Report(documents=len(arts), skipped=tuple(Skipped(a.key, a.skipped) for a in arts if a.skipped),
                    clusters=tuple(clusters), texts=texts)
    return WatchResult(run=run, started=started, finished=utc_now(), feeds=feeds,
                       new=tuple(a.key for a in arts), edits=tuple(edits), report=report, story_status=status,
                       recovered=recovered, dropped=dropped)
