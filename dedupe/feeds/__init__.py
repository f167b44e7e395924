"""Feeds and pages: fetching (fetch.py), parsing feeds and entries into documents (parse.py),
and addresses as identities (urls.py).  The watch loop that stores them is feeds/watch.py."""
from ..config import FetchOptions
from ..errors import FeedError, FetchError
from .fetch import DEFAULT_USER_AGENT, Fetcher, Response, is_public_address
from .parse import Feed, FeedEntry, clean_address, entry_document, fetch_page, html_text, parse_feed, read_feed
from .urls import article_key, canonical_url, feed_address, outlet_of

__all__ = ["DEFAULT_USER_AGENT", "Feed", "FeedEntry", "FeedError", "FetchError", "FetchOptions", "Fetcher", "Response",
           "article_key", "canonical_url", "clean_address", "entry_document", "feed_address", "fetch_page",
           "html_text", "is_public_address", "outlet_of", "parse_feed", "read_feed"]
