"""The watch store: one SQLite file of articles, their candidate index, links and stories.

    schema     the tables, migrations (PRAGMA user_version)
    records    the values stored and handed back; band keys and term ids
    locking    opening the file; the one-writer run lock
    index      the candidate index, links and stories (part of Store)
    integrity  the store's invariants, checked and restored (part of Store)
    store      Store: open, transactions, runs, feeds, articles
    repair     check_store, repair, salvage
"""
from ..errors import StoreBusyError, StoreError
from .records import FeedState, IndexLayout, Link, NewArticle, StoredArticle, band_keys, term_id, timestamp, utc_now
from .repair import Repaired, check_store, repair, salvage
from .schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION
from .store import Store, snapshot

__all__ = ["APPLICATION_ID", "MIGRATIONS", "SCHEMA_VERSION", "FeedState", "IndexLayout", "Link", "NewArticle",
           "Repaired", "Store", "StoreBusyError", "StoreError", "StoredArticle", "band_keys", "check_store",
           "repair", "salvage", "snapshot", "term_id", "timestamp", "utc_now"]
