"""Read RSS and Atom feeds, and the article pages of entries that carry only a summary.

Feeds are parsed by feedparser; pages are reduced to the article text by
read.html_document (trafilatura).  Fetching is polite and bounded: a
User-Agent that names the tool, a timeout for the whole response, a size cap,
a pause between two requests to the same host, a redirect limit, and
conditional requests (ETag / Last-Modified) so an unchanged feed costs one
``304 Not Modified``.

Every failure is a `FetchError` (transient: try again on the next run) or a
`FeedError` (the document is not a usable feed) with a one-line reason.
"""
from __future__ import annotations

import hashlib
import http.client
import io
import re
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from .config import FetchOptions  # defined with the other options; imported from here too
from .errors import DedupeError
from .model import Document

DEFAULT_USER_AGENT = "newsdedupe/{version} (feed watcher; finds copied news; polls each feed once per run)"
FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
HTML_TYPES = ("text/html", "application/xhtml+xml")
TRACKING_PARAMS = re.compile(r"^(?:utm_\w+|fbclid|gclid|mc_cid|mc_eid|ocid|cmpid)$", re.I)


class FetchError(DedupeError):
    """A URL or file could not be read (worth trying again on the next run)."""


class FeedError(DedupeError):
    """A document was read but is not a usable RSS or Atom feed."""


@dataclass(frozen=True)
class Response:
    url: str  # after redirects
    status: int  # 200, or 304 for a conditional request that found nothing new
    body: bytes = b""
    content_type: str | None = None
    charset: str | None = None
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class FeedEntry:
    """One entry of a feed, before any page is fetched."""

    key: str | None  # identity in the store: canonical link, else feed#guid
    link: str | None
    guid: str | None
    title: str | None
    published: str | None  # ISO 8601, UTC
    content: str  # full text from the feed (content:encoded, atom:content), or ""
    summary: str  # the description / summary as text, or ""
    entry_hash: str  # changes when the feed entry changes


@dataclass(frozen=True)
class Feed:
    url: str
    title: str | None
    entries: tuple[FeedEntry, ...]
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    warnings: tuple[str, ...] = field(default=())


class _LimitedRedirects(urllib.request.HTTPRedirectHandler):
    def __init__(self, limit: int) -> None:
        super().__init__()
        self.max_redirections = limit
        self.max_repeats = 1  # the same URL twice is a loop


class Fetcher:
    """Fetches URLs and local files with the limits of a FetchOptions.

    Keeps the time of the last request per host (to pause between two requests
    to the same host); one Fetcher per run.
    """

    def __init__(self, options: FetchOptions | None = None, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        from . import __version__

        self.options = options or FetchOptions()
        self.user_agent = self.options.user_agent or DEFAULT_USER_AGENT.format(version=__version__)
        self._sleep = sleep
        self._clock = clock
        self._last: dict[str, float] = {}
        self._opener = urllib.request.build_opener(_LimitedRedirects(self.options.max_redirects))

    def get(self, url: str, etag: str | None = None, last_modified: str | None = None,
            accept: str = "*/*") -> Response:
        """Fetch a URL (http, https) or read a local file (a path or file:// URL)."""
        parts = urllib.parse.urlsplit(url)
        if parts.scheme in ("http", "https"):
            return self._get_http(url, parts.hostname or "", etag, last_modified, accept)
        if parts.scheme == "file":
            return self._read_file(Path(urllib.parse.unquote(parts.path)), url)
        if parts.scheme and len(parts.scheme) > 1:
            raise FetchError(f"unsupported URL scheme {parts.scheme!r} (use http, https or a file path)")
        return self._read_file(Path(url), url)

    def _read_file(self, path: Path, url: str) -> Response:
        try:
            with open(path, "rb") as fh:
                body = fh.read(self.options.max_bytes + 1)
        except FileNotFoundError:
            raise FetchError("no such file") from None
        except OSError as exc:
            raise FetchError(f"cannot read file: {exc.strerror or exc}") from None
        if len(body) > self.options.max_bytes:
            raise FetchError(f"larger than {self.options.max_bytes} bytes")
        return Response(url=url, status=200, body=body)

    def _pause(self, host: str) -> None:
        last = self._last.get(host)
        if last is not None and self.options.delay:
            wait = last + self.options.delay - self._clock()
            if wait > 0:
                self._sleep(wait)
        self._last[host] = self._clock()

    def _get_http(self, url: str, host: str, etag: str | None, last_modified: str | None,
                  accept: str) -> Response:
        headers = {"User-Agent": self.user_agent, "Accept": accept, "Accept-Encoding": "gzip, deflate"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        self._pause(host)
        timeout = self.options.timeout
        deadline = self._clock() + timeout
        request = urllib.request.Request(url, headers=headers)
        try:
            with self._opener.open(request, timeout=timeout) as resp:
                info = resp.headers
                length = info.get("Content-Length")
                if length and length.isdigit() and int(length) > self.options.max_bytes:
                    raise FetchError(f"response larger than {self.options.max_bytes} bytes ({length})")
                raw = self._read_body(resp, deadline)
                final_url = resp.geturl()
                status = resp.status
        except urllib.error.HTTPError as exc:
            if exc.code == 304:
                return Response(url=url, status=304, etag=etag, last_modified=last_modified)
            if 300 <= exc.code < 400:
                raise FetchError(f"redirect loop or more than {self.options.max_redirects} redirects") from None
            reason = exc.reason if isinstance(exc.reason, str) else ""
            raise FetchError(f"HTTP {exc.code} {reason}".strip()) from None
        except urllib.error.URLError as exc:
            raise FetchError(_network_reason(exc.reason, timeout)) from None
        except (socket.timeout, TimeoutError):
            raise FetchError(f"timed out after {timeout:g} s") from None
        except (ConnectionError, OSError) as exc:
            raise FetchError(_network_reason(exc, timeout)) from None
        except http.client.HTTPException as exc:
            raise FetchError(f"bad HTTP response: {type(exc).__name__} {exc}".strip()) from None
        except ValueError as exc:  # a malformed URL
            raise FetchError(f"bad URL: {exc}") from None
        body = _decompress(raw, info.get("Content-Encoding", ""), self.options.max_bytes)
        content_type = info.get_content_type() if info.get("Content-Type") else None
        return Response(url=final_url, status=status, body=body, content_type=content_type,
                        charset=info.get_content_charset(), etag=info.get("ETag"),
                        last_modified=info.get("Last-Modified"))

    def _read_body(self, resp, deadline: float) -> bytes:
        chunks, size = [], 0
        while True:
            if self._clock() > deadline:
                raise FetchError(f"timed out after {self.options.timeout:g} s")
            chunk = resp.read(65536)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > self.options.max_bytes:
                raise FetchError(f"response larger than {self.options.max_bytes} bytes")
            chunks.append(chunk)


def _network_reason(reason, timeout: float) -> str:
    if isinstance(reason, (socket.timeout, TimeoutError)):
        return f"timed out after {timeout:g} s"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, socket.gaierror):
        return "host not found"
    if isinstance(reason, ssl.SSLError):
        return f"TLS error: {reason.reason or reason}"
    if isinstance(reason, OSError):
        return f"cannot connect: {reason.strerror or reason}"
    return f"cannot connect: {reason}"


def _decompress(raw: bytes, encoding: str, cap: int) -> bytes:
    encoding = encoding.strip().lower()
    if encoding not in ("gzip", "x-gzip", "deflate"):
        return raw
    wbits = 16 + zlib.MAX_WBITS if "gzip" in encoding else zlib.MAX_WBITS
    try:
        inflater = zlib.decompressobj(wbits)
        body = inflater.decompress(raw, cap + 1)
    except zlib.error:
        if encoding == "deflate":  # some servers send raw deflate
            try:
                inflater = zlib.decompressobj(-zlib.MAX_WBITS)
                body = inflater.decompress(raw, cap + 1)
            except zlib.error as exc:
                raise FetchError(f"bad {encoding} body: {exc}") from None
        else:
            raise FetchError("bad gzip body") from None
    if len(body) > cap:
        raise FetchError(f"response larger than {cap} bytes once decompressed")
    return body


# -- feeds ---------------------------------------------------------------------------------

def read_feed(url: str, fetcher: Fetcher, etag: str | None = None, last_modified: str | None = None) -> Feed:
    """Fetch and parse one feed; a 304 gives a Feed with ``not_modified`` and no entries.

    Raises FetchError (cannot fetch) or FeedError (not a usable feed).
    """
    resp = fetcher.get(url, etag, last_modified, accept=FEED_ACCEPT)
    if resp.status == 304:
        return Feed(url=url, title=None, entries=(), etag=etag, last_modified=last_modified, not_modified=True)
    title, entries, warnings = parse_feed(resp.body, url, resp.url, resp.content_type, resp.charset)
    return Feed(url=url, title=title, entries=entries, etag=resp.etag, last_modified=resp.last_modified,
                warnings=warnings)


def parse_feed(body: bytes, feed_url: str, base_url: str | None = None, content_type: str | None = None,
               charset: str | None = None) -> tuple[str | None, tuple[FeedEntry, ...], tuple[str, ...]]:
    """The title, entries and parser warnings of an RSS or Atom document (feedparser)."""
    import feedparser

    headers = {"content-location": base_url or feed_url}
    if content_type:
        headers["content-type"] = content_type + (f"; charset={charset}" if charset else "")
    if not body.strip():
        raise FeedError("empty document")
    parsed = feedparser.parse(io.BytesIO(body), response_headers=headers)
    problem = parsed.get("bozo_exception")
    if isinstance(problem, (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)) and parsed.entries:
        problem = None  # a wrong or missing Content-Type or charset: the XML itself parsed
    if not parsed.get("version"):
        if not parsed.entries:
            if isinstance(problem, feedparser.NonXMLContentType) and content_type:
                detail = f" (got {content_type})"
            else:
                detail = f" ({_one_line(problem)})" if problem else ""
            raise FeedError(f"not an RSS or Atom feed{detail}")
    elif problem and not parsed.entries:
        raise FeedError(f"malformed feed: {_one_line(problem)}")
    warnings = (f"feed is malformed, read what could be: {_one_line(problem)}",) if problem else ()
    title = (parsed.feed.get("title") or "").strip() or None
    entries = tuple(_entry(e, feed_url) for e in parsed.entries)
    return title, entries, warnings


def _one_line(exc) -> str:
    return " ".join(str(exc).split())[:200]


def _entry(e, feed_url: str) -> FeedEntry:
    link = (e.get("link") or "").strip() or None
    guid = (e.get("id") or "").strip() or None
    key = canonical_url(link) if link else (f"{feed_url}#{guid}" if guid else None)
    content = ""
    for part in e.get("content") or []:
        text = _part_text(part)
        if len(text) > len(content):
            content = text
    summary = _part_text(e.get("summary_detail") or {"value": e.get("summary") or "", "type": "text/html"})
    # dict.get: feedparser's own get() maps a missing "updated" to "published" with a warning
    published = _utc(dict.get(e, "published_parsed") or dict.get(e, "updated_parsed"))
    title = " ".join((e.get("title") or "").split()) or None
    digest = hashlib.sha1("\x1f".join([
        link or "", guid or "", title or "", published or "", dict.get(e, "updated") or "",
        summary, content]).encode("utf-8")).hexdigest()
    return FeedEntry(key=key, link=link, guid=guid, title=title, published=published, content=content,
                     summary=summary, entry_hash=digest)


def _part_text(part) -> str:
    value = part.get("value") or ""
    kind = (part.get("type") or "text/html").lower()
    if "html" in kind:
        return html_text(value)
    return "\n\n".join(" ".join(p.split()) for p in re.split(r"\n\s*\n", value) if p.strip())


def _utc(parsed) -> str | None:
    if not parsed:
        return None
    try:
        return datetime(*parsed[:6], tzinfo=timezone.utc).isoformat()
    except (TypeError, ValueError):
        return None


BLOCK_TAGS = ("p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
              "pre", "table", "tr", "section", "article", "header", "footer", "figure", "figcaption")


def html_text(fragment: str) -> str:
    """Plain text of an HTML fragment (a feed's content), paragraphs separated by a blank line."""
    if "<" not in fragment:
        return "\n\n".join(" ".join(p.split()) for p in re.split(r"\n\s*\n", fragment) if p.strip())
    import lxml.etree
    import lxml.html

    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return ""
    for bad in list(root.iter("script", "style", "noscript")):
        bad.drop_tree()
    for br in root.iter("br"):
        br.tail = "\u2028" + (br.tail or "")  # a line break inside a paragraph (the HTML's own newlines are spaces)
    for el in root.iter(*BLOCK_TAGS):
        el.text = "\n\n" + (el.text or "")
        el.tail = "\n\n" + (el.tail or "")
    text = root.text_content()
    paragraphs = ("\n".join(" ".join(line.split()) for line in p.split("\u2028") if line.strip())
                  for p in re.split(r"\n\s*\n", text))
    return "\n\n".join(p for p in paragraphs if p)


def canonical_url(url: str) -> str:
    """A link as an identity: no fragment, no tracking parameters, lower-case scheme and host."""
    parts = urllib.parse.urlsplit(url.strip())
    query = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
             if not TRACKING_PARAMS.match(k)]
    return urllib.parse.urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/",
                                    urllib.parse.urlencode(query), ""))


# -- entries to documents ------------------------------------------------------------------

def entry_document(entry: FeedEntry, feed: Feed, fetcher: Fetcher | None) -> Document:
    """The entry as a Document: the feed's full text, else the article page's text
    (when `fetcher` is given and the entry links to a page), else its summary.

    Raises FetchError when the page cannot be fetched (try again next run); a page
    that is fetched but holds no article text gives the summary (maybe "").
    """
    text = entry.content
    page: Document | None = None
    if not text and fetcher is not None and entry.link and urllib.parse.urlsplit(entry.link).scheme in ("http", "https"):
        page = fetch_page(entry.link, fetcher)
        text = page.text if len(page.text) >= len(entry.summary) else ""
    if not text:
        text = entry.summary
    source = feed.title or (page.source if page else None) or urllib.parse.urlsplit(entry.link or feed.url).hostname
    meta = {"feed": feed.url}
    if entry.guid:
        meta["guid"] = entry.guid
    return Document(id=entry.key or "", text=text, source=source,
                    published=entry.published or (page.published if page else None),
                    title=entry.title or (page.title if page else None), url=entry.link, meta=meta)


def fetch_page(url: str, fetcher: Fetcher) -> Document:
    """An article page reduced to its text and metadata (read.html_document, i.e. trafilatura)."""
    from .read import html_document

    resp = fetcher.get(url, accept=PAGE_ACCEPT)
    if resp.content_type and resp.content_type not in HTML_TYPES:
        return Document(id=url, text="")  # a PDF, a video...: no article text to compare
    html = _decode_html(resp.body, resp.charset)
    return html_document(html, url, url)


META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([\w-]+)""", re.I)


def _decode_html(body: bytes, charset: str | None) -> str:
    candidates = [charset] if charset else []
    found = META_CHARSET.search(body[:4096])
    if found:
        candidates.append(found.group(1).decode("ascii", "replace"))
    candidates.append("utf-8")
    for name in candidates:
        try:
            return body.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
    return body.decode("cp1252", errors="replace")
