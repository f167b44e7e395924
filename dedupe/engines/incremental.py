"""The incremental engine: the scan's stages driven on what is new in a store, with the
store's neighbours and frequencies (the watch loop, feeds/watch.py, feeds it one batch per feed;
``dedupe scan --store`` one batch of files):

    new articles -> normalize -> fingerprint (signature, band keys, words)
      -> candidates (index lookups in the store)
      -> verify (pairwise.verify_batch on new article x candidate, store-weighted TF-IDF)
      -> cluster (pipeline.cluster_documents over the touched part of the link graph)
      -> attribute + diff (pipeline.make_cluster; members marked earlier keep their relation)

Nothing here is proportional to the store: candidates come from indexed lookups,
verification reads only the candidates' texts, and stories are recomputed only
for the connected parts of the link graph that a batch touched.  TF-IDF weights
use the store's document frequencies, so a pair gets the same cosine whichever
batch it is verified in; a single batch into an empty store scores pairs exactly
as ``dedupe scan`` scores them.  A batch is one transaction of the caller's.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np
import scipy.sparse as sp

from ..config import ScanOptions, WatchOptions
from ..model import Cluster, Document, Normalized, Notify, Report, Skipped
from ..pipeline import cluster_documents, make_cluster, mark
from ..report.text import plural
from ..stages.cluster import Tree
from ..stages.pairwise import verify_batch
from ..stages.digest import skip_reason
from ..stages.read import read_documents
from ..stages.textdiff import Differ
from ..store import (IndexLayout, Link, NewArticle, Repaired, Store, StoredArticle, StoreError, band_keys, repair,
                     snapshot, term_id, timestamp)
from ..text.fingerprint import (Fingerprints, Stemmer, TokenHasher, minhash_signatures, shingle_hashes,
                                term_vectorizer)
from ..text.normalize import normalize

@dataclass(frozen=True)
class Item:
    key: str
    doc: Document
    guid: str | None = None
    feed: str | None = None
    entry_hash: str | None = None


@dataclass
class Outcome:
    stored: int = 0
    edited: int = 0
    unchanged: int = 0


# -- public entry points -------------------------------------------------------------------

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
                outcome = ingest(st, [Item(d.id, d) for d in docs], run, options, WatchOptions().max_component)
            notify(f"{outcome.stored} new, {plural(outcome.edited, 'new version')}, {outcome.unchanged} already stored")
            with snapshot(st):
                arts = [a for a in (st.current(d.id) for d in docs) if a is not None]
                # a full report-v1 (every member with its marks), like pipeline.scan's
                clusters, texts = story_clusters(st, sorted({a.story for a in arts if a.story}), options)
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
            restory(st, ids, run, max_component, options, stemmer)
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
        clusters, texts = story_clusters(st, st.all_stories(), options)
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


# -- a batch: store, index, verify, cluster ------------------------------------------------

def ingest(st: Store, items: Sequence[Item], run: int, options: ScanOptions, max_component: int,
            analysis: tuple[TokenHasher, Stemmer] | None = None) -> Outcome:
    """Store a batch (inside the caller's transaction): new articles and new versions go
    into the index, are verified against their candidates, and their stories recomputed.
    `analysis` (a token hasher and a stemmer) can be shared by the batches of a run."""
    outcome = Outcome()
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
        skipped = skip_reason(item.doc.text, words, options.min_words)
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
    restory(st, dirty | set(fresh), run, max_component, options, stemmer)
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


def restory(st: Store, dirty: Iterable[int], run: int, max_component: int, options: ScanOptions,
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

    build_trees reads only those of a copy, its parent and the earlier texts it is linked
    to (the parent's ancestors among them), and only when one of those ranks before the
    parent: each is read and hashed the first time asked."""

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

def story_clusters(st: Store, stories: Sequence[int], options: ScanOptions, marked: set[str] | None = None
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


