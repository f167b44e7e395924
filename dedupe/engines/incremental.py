"""The cron use: watch feeds into a store, add file batches to it, report from it.

The scan's stages driven on what is new, with the store's neighbours and frequencies:

    feeds -> entries (feeds.py) -> normalize -> fingerprint (signature, band keys, words)
      -> candidates (index lookups in the store)
      -> verify (pairwise.verify_pairs on new article x candidate, store-weighted TF-IDF)
      -> cluster (pipeline.cluster_documents over the touched part of the link graph)
      -> attribute + diff (pipeline.make_cluster; members marked earlier keep their relation)

Nothing here is proportional to the store: candidates come from indexed lookups,
verification reads only the candidates' texts, and stories are recomputed only
for the connected parts of the link graph that a batch touched.  TF-IDF weights
use the store's document frequencies, so a pair gets the same cosine whichever
batch it is verified in; a single batch into an empty store scores pairs exactly
as ``dedupe scan`` scores them.

Each feed is one batch and one transaction (articles, index, links, stories and
the feed's ETag together), so a run killed at any moment loses nothing that the
next run will not redo.  Articles of a run that never finished are reported by
the next watch run.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import numpy as np
import scipy.sparse as sp

from ..stages.cluster import Tree
from ..config import ScanOptions, WatchOptions  # WatchOptions: imported from here too
from ..errors import OptionsError
from ..feeds import FeedError, Fetcher, FetchError, entry_document, feed_address, read_feed
from ..text.fingerprint import (Fingerprints, Stemmer, TokenHasher, minhash_signatures, shingle_hashes,
                          term_vectorizer)
from ..stages.textdiff import Differ
from ..model import Cluster, Document, Edit, FeedStatus, Normalized, Report, Skipped, WatchResult
from ..text.normalize import normalize
from ..stages.pairwise import verify_batch
from ..pipeline import cluster_documents, make_cluster, mark, diff as diff_texts
from ..stages.read import read_documents
from ..report.text import plural
from ..store import (FeedState, IndexLayout, Link, NewArticle, Repaired, Store, StoredArticle, StoreError, band_keys,
                    repair, snapshot, term_id, timestamp, utc_now)

Notify = Callable[[str], None]
"""Called with a one-line progress message (the CLI prints them on stderr)."""

@dataclass(frozen=True)
class _Item:
    key: str
    doc: Document
    guid: str | None = None
    feed: str | None = None
    entry_hash: str | None = None


@dataclass
class _Outcome:
    stored: int = 0
    edited: int = 0
    unchanged: int = 0


# -- public entry points -------------------------------------------------------------------

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


def scan_into_store(inputs: Iterable, store: str, options: ScanOptions | None = None, wait: float = 60.0,
                    progress: Notify | None = None, stdin: BinaryIO | None = None) -> Report:
    """Add a batch of documents (the inputs of `pipeline.scan`) to a store, in one
    transaction, and report the stories they belong to (with their stored members).

    A document's identity is its id: the same id with the same text is stored once,
    with another text it is a new version.  A run that fails is recorded as failed
    (its transaction stored nothing), never left "running".
    """
    options = options or ScanOptions()
    notify = progress or (lambda message: None)
    docs = read_documents(inputs, stdin=stdin, options=options.read, notify=progress)
    layout = index_layout(options)
    with Store.open(store, layout, wait=wait) as st:
        run, _ = st.start_run("scan")
        try:
            notify(f"storing {plural(len(docs), 'document')}")
            with st.transaction():
                outcome = _ingest(st, [_Item(d.id, d) for d in docs], run, options, WatchOptions().max_component)
            notify(f"{outcome.stored} new, {plural(outcome.edited, 'new version')}, {outcome.unchanged} already stored")
            with snapshot(st):
                arts = [a for a in (st.current(d.id) for d in docs) if a is not None]
                # a full report-v1 (every member with its marks), like pipeline.scan's
                clusters, texts = _story_clusters(st, sorted({a.story for a in arts if a.story}), options)
            skipped = tuple(Skipped(a.key, a.skipped) for a in arts if a.skipped)
            texts.update({d.id: d for d in docs})
        except BaseException:
            st.fail_run(run)
            raise
        # runs interrupted earlier stay unreported here: the next watch run reports them
        st.finish_run(run, (), outcome.stored + outcome.edited, 0)
    return Report(documents=len(docs), skipped=skipped, clusters=tuple(clusters), texts=texts)


def repair_store(store: str, options: ScanOptions | None = None, wait: float = 60.0) -> "Repaired":
    """Rebuild a store (`store.repair`): every readable row is copied into a new file, the
    candidate index is built again from the stored articles and the stories recomputed
    from the links; the old file is kept as ``STORE.damaged-TIME``.

    >>> repair_store("news.db").indexed  # doctest: +SKIP
    """
    options = options or ScanOptions()
    max_component = WatchOptions().max_component

    def rebuild(st: Store) -> int:
        run, _ = st.start_run("repair")  # runs that never finished stay unreported for the next watch
        hasher, stemmer = TokenHasher(), Stemmer()
        ids = st.analysed_ids()
        with st.transaction():
            for start in range(0, len(ids), 500):
                for art in st.articles(ids[start:start + 500]).values():
                    keys, terms = _index_entries(normalize(art.document()), options, hasher, stemmer)
                    st.index(art.id, keys, terms, options.candidates)
            _restory(st, ids, run, max_component, options, stemmer)
        st.finish_run(run, (), len(ids), 0)
        return len(ids)

    return repair(store, index_layout(options), rebuild, wait=wait)


def store_report(store: str, options: ScanOptions | None = None) -> Report:
    """Every story in a store as one report (read-only; never waits for a running watch).

    Cluster ids are the stories' stable ids (``s12``); ``documents`` counts the
    current articles; ``skipped`` lists the stored articles too short to compare.

    >>> print(store_report("news.db").to_json())  # doctest: +SKIP
    """
    options = options or ScanOptions()
    with Store.open(store, readonly=True) as st, snapshot(st):
        clusters, texts = _story_clusters(st, st.all_stories(), options)
        total, _ = st.count_articles()
        skipped = tuple(Skipped(key, reason) for key, reason in st.skipped_articles())
    return Report(documents=total, skipped=skipped, clusters=tuple(clusters), texts=texts)


PROBE_TEXT = ("PORT CALDER, March 14 (MPA) - A passenger ferry struck the harbour wall while docking "
              "at Port Calder early on Saturday, injuring 14 people, the operator Tidewater Ferries said.")


def index_layout(options: ScanOptions) -> IndexLayout:
    """The store's index layout for these options, with the probe: a digest of the band keys
    and word ids this code makes for PROBE_TEXT (see store.IndexLayout)."""
    import hashlib

    keys, terms = _index_entries(normalize(Document("probe", PROBE_TEXT)), options, TokenHasher(), Stemmer())
    digest = hashlib.sha1(keys.astype("<u4").tobytes() + np.array(sorted(terms), dtype="<u4").tobytes())
    return IndexLayout.of(options.fingerprint, options.candidates, probe=digest.hexdigest()[:16])


def _index_entries(norm: Normalized, options: ScanOptions, hasher: TokenHasher,
                   stemmer: Stemmer) -> tuple[np.ndarray, set[int]]:
    """A text's LSH band keys and word ids, as the store indexes them."""
    fp_opts, cand_opts = options.fingerprint, options.candidates
    shingles = shingle_hashes(hasher(norm.tokens), fp_opts.shingle_size)
    if len(shingles):
        signature = minhash_signatures([shingles], fp_opts.num_perm, fp_opts.seed)[0]
        keys = band_keys(signature, cand_opts.shingle_bands, cand_opts.shingle_rows)
    else:
        keys = np.empty(0, dtype=np.uint32)
    return keys, {term_id(stem) for stem in stemmer(norm.tokens)}


# -- one feed -----------------------------------------------------------------------------

@dataclass
class _FeedBatch:
    """One feed as read (before anything is stored): its items, or why it was not read."""

    url: str
    state: FeedState
    checked: str
    feed: Any = None  # feeds.Feed, None when it could not be read
    failure: str | None = None
    items: list[_Item] = field(default_factory=list)
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
        batch.items.append(_Item(entry.key, doc, entry.guid, url, entry.entry_hash))
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
        outcome = _ingest(st, batch.items, run, options.scan, options.max_component, analysis)
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
        _restory(st, neighbours, run, options.max_component, options.scan, Stemmer())
    if ids:
        notify(f"dropped {plural(len(ids), 'article')} older than {plural(options.keep_days, 'day')}")
    return len(ids)


# -- a batch: store, index, verify, cluster ------------------------------------------------

def _ingest(st: Store, items: Sequence[_Item], run: int, options: ScanOptions, max_component: int,
            analysis: tuple[TokenHasher, Stemmer] | None = None) -> _Outcome:
    """Store a batch (inside the caller's transaction): new articles and new versions go
    into the index, are verified against their candidates, and their stories recomputed.
    `analysis` (a token hasher and a stemmer) can be shared by the batches of a run."""
    outcome = _Outcome()
    cand_opts = options.candidates
    hasher, stemmer = analysis or (TokenHasher(), Stemmer())
    fresh: dict[int, Normalized] = {}
    candidates: dict[int, set[int]] = {}
    retired: set[int] = set()
    dirty: set[int] = set()
    for item in items:
        norm = normalize(item.doc)
        stored = st.current(item.key)
        if stored is not None and stored.content_hash == norm.content_hash:
            if item.entry_hash and stored.entry_hash != item.entry_hash:
                st.set_entry_hash(stored.id, item.entry_hash)
            outcome.unchanged += 1
            continue
        words = len(norm.tokens)
        skipped = None
        if words < options.min_words:
            skipped = "empty" if not words else f"too short ({words} words)"
        if stored is not None:
            dirty |= st.retire(stored.id)
            retired.add(stored.id)
            fresh.pop(stored.id, None)
            outcome.edited += 1
        else:
            outcome.stored += 1
        article = st.add_article(NewArticle(item.key, item.doc, norm.content_hash, words, skipped, item.guid,
                                            item.feed, item.entry_hash), run,
                                 version=stored.version + 1 if stored else 1)
        if skipped:
            continue
        keys, terms = _index_entries(norm, options, hasher, stemmer)
        candidates[article] = st.index(article, keys, terms, cand_opts)
        fresh[article] = norm
    pairs = sorted({(min(a, c), max(a, c)) for a, found in candidates.items() if a in fresh
                    for c in found if c not in retired})
    st.add_links(_verify_pairs(st, pairs, fresh, options, hasher, stemmer), run)
    _restory(st, dirty | set(fresh), run, max_component, options, stemmer)
    return outcome


def _verify_pairs(st: Store, pairs: Sequence[tuple[int, int]], fresh: dict[int, Normalized],
                  options: ScanOptions, hasher: TokenHasher, stemmer: Stemmer) -> list[Link]:
    """The scan's verification (`pairwise.verify_pairs`) of candidate pairs of stored articles,
    TF-IDF weighted by the store's document frequencies (so a pair's cosine is the same in
    whichever batch it is checked); the other rarity weights come from the texts loaded here."""
    if not pairs:
        return []
    ids = sorted({a for pair in pairs for a in pair})
    loaded = st.articles([a for a in ids if a not in fresh])
    norms = [fresh[a] if a in fresh else normalize(loaded[a].document()) for a in ids]
    position = {a: n for n, a in enumerate(ids)}
    fp = _store_fingerprints(st, norms, options, hasher, stemmer)
    index_pairs = np.array([(position[a], position[b]) for a, b in pairs], dtype=np.int64).reshape(-1, 2)
    matches = verify_batch(index_pairs, fp, norms, stemmer, options.verify.verifier(), options.verify)
    return [Link.from_match(m, ids[m.a], ids[m.b]) for m in matches]


def _store_fingerprints(st: Store, norms: Sequence[Normalized], options: ScanOptions, hasher: TokenHasher,
                        stemmer: Stemmer) -> Fingerprints:
    fp_opts = options.fingerprint
    shingle_sets = tuple(shingle_hashes(hasher(n.tokens), fp_opts.shingle_size) for n in norms)
    stems = [stemmer(n.tokens) for n in norms]
    vectorizer = term_vectorizer()
    if any(stems):
        vectorizer.fit(stems)  # the vocabulary of these texts; the weights come from the store
        vocabulary = vectorizer.get_feature_names_out()
        ids = [term_id(str(stem)) for stem in vocabulary]
        df = st.document_frequencies(ids)
        _, n_docs = st.count_articles()
        # sklearn's smooth idf, over the whole store instead of the batch
        counts = np.array([df.get(t, 1) for t in ids], dtype=np.float64)
        vectorizer.idf_ = (np.log((1.0 + n_docs) / (1.0 + counts)) + 1.0).astype(np.float32)
        terms = vectorizer.transform(stems).tocsr()
    else:
        terms = sp.csr_matrix((len(norms), 0), dtype=np.float32)
    # verification reads no signatures (the candidates came from the store's index)
    return Fingerprints(shingle_sets=shingle_sets, signatures=np.empty((len(norms), 0), dtype=np.uint32),
                        terms=terms, vectorizer=vectorizer, options=fp_opts)


def _restory(st: Store, dirty: Iterable[int], run: int, max_component: int, options: ScanOptions,
             stemmer: Stemmer) -> None:
    """Recompute the stories of the link-graph components holding these articles.

    cluster.build_trees over a whole component gives exactly what it gives over the
    whole store (trees never cross components), so only touched components are read.
    A story keeps the oldest story id among its members; a new one gets a new id.
    """
    live = st.articles(dirty, text=False)
    seen: set[int] = set()
    for start in sorted(a for a, art in live.items() if art.current and not art.skipped):
        if start in seen:
            continue
        component = _component(st, start, max_component)
        seen |= component
        _cluster_component(st, sorted(component), run, options, stemmer)


def _component(st: Store, start: int, limit: int) -> set[int]:
    found, frontier = {start}, [start]
    while frontier and len(found) < limit:
        nxt: set[int] = set()
        for linked in st.neighbours(frontier).values():
            nxt |= linked - found
        frontier = sorted(nxt)[: max(0, limit - len(found))]
        found.update(frontier)
    return found


def _cluster_component(st: Store, ids: list[int], run: int, options: ScanOptions, stemmer: Stemmer) -> None:
    arts = st.articles(ids, text=False)
    docs = [Document(id=arts[a].key, text="", source=arts[a].source, published=arts[a].published) for a in ids]
    position = {a: n for n, a in enumerate(ids)}
    matches = [link.match(position) for link in st.links_among(ids)]
    trees = cluster_documents(docs, matches, options.attribution(), _StoredShingles(st, ids, options))
    wanted: dict[int, tuple[int | None, int | None]] = {a: (None, None) for a in ids}
    used: set[int] = set()
    for tree in trees:
        members = [ids[tree.root], *(ids[c] for c in sorted(tree.parents))]
        earlier = sorted({arts[a].story for a in members if arts[a].story is not None} - used)
        story = earlier[0] if earlier else st.new_story(run)
        used.add(story)
        wanted[ids[tree.root]] = (story, None)
        for child, parent in tree.parents.items():
            wanted[ids[child]] = (story, ids[parent])
    changed = [(a, s, p) for a, (s, p) in wanted.items() if (s, p) != (arts[a].story, arts[a].parent)]
    # the relation to a new parent is kept, so later runs show a known member without
    # computing its marks again (as pipeline.make_cluster classifies)
    pairs = [(a, p) for a, _, p in changed if p is not None]
    texts = st.articles({x for pair in pairs for x in pair})
    norms = {a: normalize(art.document()) for a, art in texts.items()}
    differ = Differ(norms.values(), stemmer)
    relation = {child: mark(norms[parent], norms[child], options, differ)[1] for child, parent in pairs}
    st.assign((a, s, p, relation.get(a)) for a, s, p in changed)


class _StoredShingles(Mapping):
    """Shingle sets of a component's articles (by position in `ids`), as a scan has them.

    build_trees reads only those of a copy, its parent and the parent's ancestors, and
    only when a parent is itself a copy: each is read and hashed the first time asked."""

    def __init__(self, st: Store, ids: Sequence[int], options: ScanOptions) -> None:
        self._st, self._ids, self._size = st, ids, options.fingerprint.shingle_size
        self._hasher = TokenHasher()
        self._sets: dict[int, np.ndarray] = {}

    def __getitem__(self, i: int) -> np.ndarray:
        if i not in self._sets:
            article = self._st.articles([self._ids[i]])[self._ids[i]]
            self._sets[i] = shingle_hashes(self._hasher(normalize(article.document()).tokens), self._size)
        return self._sets[i]

    def __iter__(self):
        return iter(range(len(self._ids)))

    def __len__(self) -> int:
        return len(self._ids)


# -- reading stories back ------------------------------------------------------------------

def _story_clusters(st: Store, stories: Sequence[int], options: ScanOptions, marked: set[str] | None = None
                    ) -> tuple[list[Cluster], dict[str, Document]]:
    """Clusters (with attribution and marks) of stored stories, ordered by their original's date.

    With `marked`, only those members (and members without a stored relation) get
    marks; the others keep the relation stored when they joined, so a run's cost
    does not grow with the size of the stories it touches.
    """
    stemmer = Stemmer()
    built: list[tuple[tuple, Cluster]] = []
    texts: dict[str, Document] = {}
    for story, arts in st.story_members(stories).items():
        if not arts:
            continue
        tree = _story_tree(st, story, arts)
        docs = [a.document() for a in arts]
        # with `marked`, the others keep the relation stored when they joined
        known = {} if marked is None else {i: a.relation for i, a in enumerate(arts)
                                           if a.key not in marked and a.relation is not None}
        cluster = make_cluster(f"s{story}", tree, docs, options, stemmer, options.attribution(), known)
        root = arts[tree.root]
        built.append(((timestamp(root.published, float("inf")), root.id), cluster))
        texts.update({d.id: d for d in docs})
    built.sort(key=lambda pair: pair[0])
    return [c for _, c in built], texts


def _story_tree(st: Store, story: int, arts: list[StoredArticle]) -> Tree:
    position = {a.id: n for n, a in enumerate(arts)}
    roots = [a for a in arts if a.parent is None]
    if len(roots) != 1 or any(a.parent not in position for a in arts if a.parent is not None):
        raise StoreError(f"{st.path}: story {story} is inconsistent; run `dedupe watch` or "
                         "`dedupe scan --store` to rebuild it")
    links = {(l.a, l.b): l for l in st.links_among(position)}
    parents, edges = {}, {}
    for art in arts:
        if art.parent is None:
            continue
        link = links.get((min(art.id, art.parent), max(art.id, art.parent)))
        if link is None:
            raise StoreError(f"{st.path}: story {story} has no link between {art.key} and its parent")
        parents[position[art.id]] = position[art.parent]
        edges[position[art.id]] = link.match(position)
    return Tree(root=position[roots[0].id], parents=parents, edges=edges)


def _run_result(st: Store, run: int, recovered: tuple[int, ...], started: str, feeds: tuple[FeedStatus, ...],
                dropped: int, options: ScanOptions) -> WatchResult:
    with snapshot(st):
        arts = st.articles_of_runs([run, *recovered])
        stories = sorted({a.story for a in arts if a.story is not None})
        clusters, texts = _story_clusters(st, stories, options, marked={a.key for a in arts})
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
                                                      options.verify.diff_match),
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
