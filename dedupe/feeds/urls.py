"""Addresses as identities: canonical links, feed addresses, outlets, and the key an entry is
stored under."""
from __future__ import annotations

import hashlib
import os
import re
import urllib.parse


TRACKING_PARAMS = re.compile(r"^(?:utm_\w+|fbclid|gclid|mc_cid|mc_eid|ocid|cmpid)$", re.I)


def canonical_url(url: str) -> str:
    """A link as an identity: no fragment, no tracking parameters (utm_*, fbclid, gclid...),
    lower-case scheme and host, no default port."""
    parts = urllib.parse.urlsplit(url.strip())
    scheme = parts.scheme.lower()
    query = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
             if not TRACKING_PARAMS.match(k)]
    netloc = parts.netloc
    if parts.hostname is not None:
        host = parts.hostname
        host = f"[{host}]" if ":" in host else host
        try:
            port = parts.port
        except ValueError:
            port = None
        default = {"http": 80, "https": 443}.get(scheme)
        userinfo = netloc.rpartition("@")[0]
        netloc = (f"{userinfo}@" if userinfo else "") + host + (f":{port}" if port and port != default else "")
    return urllib.parse.urlunsplit((scheme, netloc.lower() if parts.hostname is None else netloc,
                                    parts.path or "/", urllib.parse.urlencode(query), ""))


def feed_address(feed: str) -> str:
    """A feed as the store knows it: a URL as given, a local path made absolute (so ``g.xml``,
    ``./g.xml`` and its full path are one feed)."""
    feed = feed.strip()
    scheme = urllib.parse.urlsplit(feed).scheme.lower()
    if scheme in ("http", "https"):
        return feed
    if scheme == "file":
        return os.path.abspath(urllib.parse.unquote(urllib.parse.urlsplit(feed).path))
    if scheme and len(scheme) > 1:
        return feed  # refused when fetched
    return os.path.abspath(os.path.expanduser(feed))


def outlet_of(feed_url: str, title: str | None) -> str:
    """Who publishes a feed's entries: the feed's host (``file`` for a local feed) and its
    title, e.g. ``feeds.example.org/meridian-press-agency``.  Two feeds of one outlet
    (same host, same title) share their articles; a feed elsewhere, or under another
    name, cannot make a version of them."""
    parts = urllib.parse.urlsplit(feed_url)
    site = (parts.hostname or "").lower() if parts.scheme.lower() in ("http", "https") else "file"
    name = "-".join((title or "").casefold().split())[:80]
    return f"{site or '-'}/{name or '-'}"


def article_key(outlet: str, feed_url: str, link: str | None, guid: str | None, title: str | None = None,
                published: str | None = None, text: str = "") -> str:
    """An entry's identity in the store: its outlet, then its canonical link, else the feed and
    its guid, else the feed and a digest of its title and date (of its text when it has neither),
    so an entry without link or guid is the same article on every run."""
    if link:
        return f"{outlet} {canonical_url(link)}"
    if guid:
        return f"{outlet} {feed_url}#{guid}"
    basis = "\x1f".join([title or "", published or ""]) if (title or published) else text
    return f"{outlet} {feed_url}#item-{hashlib.sha1(basis.encode('utf-8', 'replace')).hexdigest()[:16]}"
