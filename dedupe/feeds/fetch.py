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

import functools
import hashlib
import http.client
import io
import ipaddress
import os
import re
import socket
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from ..config import FetchOptions  # defined with the other options; imported from here too
from ..errors import FeedError, FetchError  # defined with the other errors; imported from here too
from ..model import Document

DEFAULT_USER_AGENT = "newsdedupe/{version} (feed watcher; finds copied news; polls each feed once per run)"
FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
HTML_TYPES = ("text/html", "application/xhtml+xml")
TRACKING_PARAMS = re.compile(r"^(?:utm_\w+|fbclid|gclid|mc_cid|mc_eid|ocid|cmpid)$", re.I)


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

    key: str  # identity in the store: article_key (the outlet, then its canonical link or feed#guid)
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


class _Deadline:
    """The time limit of one request, redirects included.

    A socket timeout only bounds each wait for a byte, so a server that drips one byte
    a second holds a read forever.  A timer shuts the request's sockets down when the
    time is up: a read blocked in the kernel returns at once, and `fired` tells the
    reader that the short answer is a timeout, not the end of the response."""

    def __init__(self, seconds: float, clock: Callable[[], float]) -> None:
        self.seconds = seconds
        self._clock = clock
        self.end = clock() + seconds
        self.fired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def remaining(self) -> float:
        return self.end - self._clock()

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.fired:
                _shut(sock)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            for sock in self._sockets:
                _shut(sock)

    def __enter__(self) -> "_Deadline":
        self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self._timer.cancel()


def _shut(sock: socket.socket) -> None:
    try:  # the plain socket's shutdown: an SSLSocket's own would also drop its TLS state
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass


class _Refused(Exception):
    """A connection or redirect that the fetching rules forbid (turned into a FetchError)."""


def is_public_address(address: str) -> bool:
    """True for a globally routable IP address (not loopback, private, link-local, reserved...)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


class _Request:
    """What the connections of one request (and its redirects) must respect."""

    def __init__(self, deadline: _Deadline, trusted_host: str | None, allow_private: bool,
                 proxy_hosts: frozenset[str] = frozenset()) -> None:
        self.deadline = deadline
        self.trusted_host = trusted_host  # the host the user named: any address is fine for it
        self.allow_private = allow_private
        self.proxy_hosts = proxy_hosts  # proxies the user configured (http_proxy...): connecting to them is fine

    def checked(self, host: str, port: int | None) -> list | None:
        """The addresses of `host` when the rule applies to it (None when it does not);
        _Refused when one of them is not public."""
        host = host.lower()
        if self.allow_private or host == self.trusted_host:
            return None
        infos = socket.getaddrinfo(host, port or 80, 0, socket.SOCK_STREAM)
        for family, kind, proto, _, where in infos:
            if not is_public_address(where[0]):
                raise _Refused(f"{host} is a private or local address ({where[0]}); pages are fetched "
                               "from public addresses only (use --allow-private to allow it)")
        return infos

    def check_url(self, url: str) -> None:
        """Through a proxy the connection goes to the proxy: the target is checked by name first."""
        if self.proxy_hosts:
            parts = urllib.parse.urlsplit(url)
            self.checked(parts.hostname or "", parts.port)

    def create_connection(self, address, timeout=None, source_address=None, **kw):
        """socket.create_connection with the address rule checked on the resolved address
        (so a name that resolves to 127.0.0.1 is caught too) and the deadline watching the socket."""
        host, port = address
        remaining = self.deadline.remaining()
        if remaining <= 0:
            raise socket.timeout("timed out")
        infos = None if host.lower() in self.proxy_hosts else self.checked(host, port)
        if infos is None:
            sock = socket.create_connection(address, remaining, source_address)
        else:
            sock = None
            last: OSError | None = None
            for family, kind, proto, _, where in infos:
                try:
                    sock = socket.socket(family, kind, proto)
                    sock.settimeout(max(0.001, self.deadline.remaining()))
                    if source_address:
                        sock.bind(source_address)
                    sock.connect(where)
                    break
                except OSError as exc:
                    last = exc
                    if sock is not None:
                        sock.close()
                    sock = None
            if sock is None:
                raise last or OSError("no address")
        sock.settimeout(max(0.001, self.deadline.remaining()))
        self.deadline.watch(sock)
        return sock


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, fetcher: "Fetcher") -> None:
        super().__init__()
        self.fetcher = fetcher

    def http_open(self, req):
        return self.do_open(functools.partial(_connection, http.client.HTTPConnection, self.fetcher.current), req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, fetcher: "Fetcher") -> None:
        super().__init__()
        self.fetcher = fetcher

    def https_open(self, req):
        return self.do_open(functools.partial(_connection, http.client.HTTPSConnection, self.fetcher.current), req,
                            context=self._context)


def _connection(cls, request: _Request, host, **kw):
    conn = cls(host, **kw)
    conn._create_connection = request.create_connection
    return conn


class _LimitedRedirects(urllib.request.HTTPRedirectHandler):
    def __init__(self, limit: int, fetcher: "Fetcher") -> None:
        super().__init__()
        self.max_redirections = limit
        self.max_repeats = 1  # the same URL twice is a loop
        self.fetcher = fetcher

    def http_error_302(self, req, fp, code, msg, headers):
        target = headers.get("location") or headers.get("uri")
        if target:
            url = urllib.parse.urljoin(req.full_url, target)
            scheme = urllib.parse.urlsplit(url).scheme.lower()
            if scheme not in ("http", "https"):
                raise _Refused(f"redirect to a {scheme}:// URL refused (only http and https are followed)")
            if self.fetcher.current is not None:
                self.fetcher.current.check_url(url)
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


class Fetcher:
    """Fetches URLs and local files with the limits of a FetchOptions.

    Keeps the time of the last request per host (to pause between two requests
    to the same host); one Fetcher per run.

    Addresses: a URL the user gave (``trusted=True``: a feed named on the command
    line) may be on any address, and its redirects may stay on its host; everything a
    feed leads to (article pages, redirects to other hosts) must resolve to public
    addresses unless ``FetchOptions.allow_private``.  Only http and https are fetched
    or followed.
    """

    def __init__(self, options: FetchOptions | None = None, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        from .. import __version__

        self.options = options or FetchOptions()
        self.user_agent = self.options.user_agent or DEFAULT_USER_AGENT.format(version=__version__)
        self._sleep = sleep
        self._clock = clock
        self._last: dict[str, float] = {}
        self.current: _Request | None = None
        self._proxy_hosts = frozenset((urllib.parse.urlsplit(p).hostname or "").lower()
                                      for p in urllib.request.getproxies().values()) - {""}
        self._opener = urllib.request.build_opener(_HTTPHandler(self), _HTTPSHandler(self),
                                                   _LimitedRedirects(self.options.max_redirects, self))

    def get(self, url: str, etag: str | None = None, last_modified: str | None = None,
            accept: str = "*/*", trusted: bool = False) -> Response:
        """Fetch a URL (http, https) or read a local file (a path or file:// URL).

        Local files are read only when `trusted` (named by the user), never for a link a feed gives."""
        parts = urllib.parse.urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme in ("http", "https"):
            return self._get_http(url, (parts.hostname or "").lower(), etag, last_modified, accept, trusted)
        if scheme and len(scheme) > 1 and scheme != "file":
            raise FetchError(f"unsupported URL scheme {parts.scheme!r} (use http, https or a file path)")
        if not trusted:
            raise FetchError("only http and https links are fetched")
        if scheme == "file":
            return self._read_file(Path(urllib.parse.unquote(parts.path)), url)
        return self._read_file(Path(url), url)

    def _read_file(self, path: Path, url: str) -> Response:
        from ..stages.read import read_bytes

        try:
            body = read_bytes(path, str(path), self.options.max_bytes)
        except Exception as exc:  # InputError: one line with the reason
            raise FetchError(getattr(exc, "message", str(exc))) from None
        return Response(url=url, status=200, body=body)

    def _pause(self, host: str) -> None:
        last = self._last.get(host)
        if last is not None and self.options.delay:
            wait = last + self.options.delay - self._clock()
            if wait > 0:
                self._sleep(wait)
        self._last[host] = self._clock()

    def _get_http(self, url: str, host: str, etag: str | None, last_modified: str | None,
                  accept: str, trusted: bool) -> Response:
        headers = {"User-Agent": self.user_agent, "Accept": accept, "Accept-Encoding": "gzip, deflate"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        self._pause(host)
        timeout = self.options.timeout
        timed_out = f"timed out after {timeout:g} s"
        request = urllib.request.Request(url, headers=headers)
        with _Deadline(timeout, self._clock) as deadline:
            self.current = _Request(deadline, host if trusted else None, self.options.allow_private,
                                    self._proxy_hosts)
            try:
                self.current.check_url(url)
                with self._opener.open(request, timeout=timeout) as resp:
                    info = resp.headers
                    length = info.get("Content-Length")
                    if length and length.isdigit() and int(length) > self.options.max_bytes:
                        raise FetchError(f"response larger than {self.options.max_bytes} bytes ({length})")
                    raw = self._read_body(resp, deadline)
                    final_url = resp.geturl()
                    status = resp.status
            except FetchError:
                raise
            except _Refused as exc:
                raise FetchError(str(exc)) from None
            except urllib.error.HTTPError as exc:
                if exc.code == 304:
                    return Response(url=url, status=304, etag=etag, last_modified=last_modified)
                if deadline.fired:
                    raise FetchError(timed_out) from None
                if 300 <= exc.code < 400:
                    raise FetchError(f"redirect loop or more than {self.options.max_redirects} redirects") from None
                reason = exc.reason if isinstance(exc.reason, str) else ""
                raise FetchError(f"HTTP {exc.code} {reason}".strip()) from None
            except Exception as exc:
                if deadline.fired:
                    raise FetchError(timed_out) from None
                if isinstance(exc, urllib.error.URLError):
                    if isinstance(exc.reason, _Refused):
                        raise FetchError(str(exc.reason)) from None
                    raise FetchError(_network_reason(exc.reason, timeout)) from None
                if isinstance(exc, (socket.timeout, TimeoutError)):
                    raise FetchError(timed_out) from None
                if isinstance(exc, OSError):
                    raise FetchError(_network_reason(exc, timeout)) from None
                if isinstance(exc, http.client.HTTPException):
                    raise FetchError(f"bad HTTP response: {type(exc).__name__} {exc}".strip()) from None
                if isinstance(exc, ValueError):  # a malformed URL
                    raise FetchError(f"bad URL: {exc}") from None
                raise
            finally:
                self.current = None
            if deadline.fired:  # the socket was shut: what was read may be cut short
                raise FetchError(timed_out)
        body = _decompress(raw, info.get("Content-Encoding", ""), self.options.max_bytes)
        content_type = info.get_content_type() if info.get("Content-Type") else None
        return Response(url=final_url, status=status, body=body, content_type=content_type,
                        charset=info.get_content_charset(), etag=info.get("ETag"),
                        last_modified=info.get("Last-Modified"))

    def _read_body(self, resp, deadline: _Deadline) -> bytes:
        """The body in small reads (read1: whatever one receive gives), the socket's timeout
        set to the time left before each; the deadline's timer ends a read that still hangs."""
        sock = _socket_of(resp)
        chunks, size = [], 0
        while True:
            remaining = deadline.remaining()
            if remaining <= 0 or deadline.fired:
                raise FetchError(f"timed out after {self.options.timeout:g} s")
            if sock is not None:
                try:
                    sock.settimeout(remaining)
                except OSError:
                    pass
            chunk = resp.read1(16384)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > self.options.max_bytes:
                raise FetchError(f"response larger than {self.options.max_bytes} bytes")
            chunks.append(chunk)


def _socket_of(resp) -> socket.socket | None:
    raw = getattr(getattr(resp, "fp", None), "raw", None)
    sock = getattr(raw, "_sock", None)
    return sock if isinstance(sock, socket.socket) else None


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
    resp = fetcher.get(url, etag, last_modified, accept=FEED_ACCEPT, trusted=True)
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
    body = CHAR_REF.sub(_no_surrogate, body)  # feedparser fails on &#xdcff; (it cannot encode it)
    try:
        parsed = feedparser.parse(io.BytesIO(body), response_headers=headers)
    except Exception as exc:  # a parser bug must not stop every later run of every feed
        raise FeedError(f"cannot be parsed: {type(exc).__name__}: {_one_line(exc)}") from None
    problem = parsed.get("bozo_exception")
    if isinstance(problem, (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)) and \
            (parsed.entries or parsed.get("version")):
        problem = None  # a wrong or missing Content-Type (a file has none) or charset: the XML itself parsed
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
    title = _name(parsed.feed.get("title"))
    outlet = outlet_of(feed_url, title)
    entries = tuple(_entry(e, feed_url, outlet) for e in parsed.entries)
    return title, entries, warnings


# C0/C1 controls, DEL, line separators and bidirectional overrides: nothing a name or a link needs,
# and what would let a feed forge lines or send escape sequences to a terminal reading a report
CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _name(value: str | None) -> str | None:
    """A title or a feed's name on one line, without control characters."""
    return " ".join(CONTROLS.sub(" ", _text(value or "")).split()) or None


def clean_address(value: str | None) -> str | None:
    """A link or guid with its control characters and spaces percent-encoded (as a browser would)."""
    value = _text(value or "").strip()
    return re.sub(r"[\s\x00-\x1f\x7f-\x9f]", lambda m: urllib.parse.quote(m.group()), value) or None


CHAR_REF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));")


def _no_surrogate(m: re.Match) -> bytes:
    """A character reference to a surrogate (or beyond Unicode) becomes U+FFFD, as HTML5 says."""
    code = int(m.group(1), 16) if m.group(1) else int(m.group(2))
    return b"&#xFFFD;" if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF else m.group()


def _text(value: str) -> str:
    """Valid Unicode (any lone surrogate left by a parser becomes U+FFFD): SQLite and the
    report writers can encode it."""
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def _one_line(exc) -> str:
    return " ".join(str(exc).split())[:200]


def _entry(e, feed_url: str, outlet: str) -> FeedEntry:
    link = clean_address(e.get("link"))
    guid = clean_address(e.get("id"))
    content = ""
    for part in e.get("content") or []:
        text = _part_text(part)
        if len(text) > len(content):
            content = text
    summary = _part_text(e.get("summary_detail") or {"value": e.get("summary") or "", "type": "text/html"})
    # dict.get: feedparser's own get() maps a missing "updated" to "published" with a warning
    published = _utc(dict.get(e, "published_parsed") or dict.get(e, "updated_parsed"))
    title = _name(e.get("title"))
    key = article_key(outlet, feed_url, link, guid, title, published, summary or content)
    digest = hashlib.sha1("\x1f".join([
        link or "", guid or "", title or "", published or "", dict.get(e, "updated") or "",
        summary, content]).encode("utf-8")).hexdigest()
    return FeedEntry(key=key, link=link, guid=guid, title=title, published=published, content=content,
                     summary=summary, entry_hash=digest)


def _part_text(part) -> str:
    value = _text(part.get("value") or "")
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


# -- entries to documents ------------------------------------------------------------------

def entry_document(entry: FeedEntry, feed: Feed, fetcher: Fetcher | None) -> Document:
    """The entry as a Document: the feed's full text, else the article page's text
    (when `fetcher` is given and the entry links to a page), else its summary.

    Raises FetchError when the page cannot be fetched (try again next run); a page
    that is fetched but holds no article text gives the summary (maybe "").
    """
    text = entry.content
    page: Document | None = None
    if not text and fetcher is not None and entry.link and \
            urllib.parse.urlsplit(entry.link).scheme.lower() in ("http", "https"):
        page = fetch_page(entry.link, fetcher)
        text = page.text if len(page.text) >= len(entry.summary) else ""
    if not text:
        text = entry.summary
    source = feed.title or (_name(page.source) if page else None) or \
        urllib.parse.urlsplit(entry.link or feed.url).hostname
    meta = {"feed": feed.url}
    if entry.guid:
        meta["guid"] = entry.guid
    return Document(id=entry.key, text=_text(text), source=source,
                    published=entry.published or (_text(page.published or "") or None if page else None),
                    title=entry.title or (_name(page.title) if page else None), url=entry.link, meta=meta)


def fetch_page(url: str, fetcher: Fetcher) -> Document:
    """An article page reduced to its text and metadata (read.html_document, i.e. trafilatura)."""
    from ..stages.read import html_document

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
