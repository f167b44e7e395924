"""Fetching feeds and article pages over HTTP (or from local files).

Feeds are parsed in parse.py (feedparser); pages are reduced to the article text by
stages.formats.html_document (trafilatura).  Fetching is polite and bounded: a
User-Agent that names the tool, a timeout for the whole response, a size cap,
a pause between two requests to the same host, a redirect limit, and
conditional requests (ETag / Last-Modified) so an unchanged feed costs one
``304 Not Modified``.

Every failure is a `FetchError` (transient: try again on the next run) or a
`FeedError` (the document is not a usable feed) with a one-line reason.
"""
from __future__ import annotations

import functools
import http.client
import ipaddress
import socket
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..config import FetchOptions  # defined with the other options; imported from here too
from ..errors import FetchError

DEFAULT_USER_AGENT = "newsdedupe/{version} (feed watcher; finds copied news; polls each feed once per run)"
FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
HTML_TYPES = ("text/html", "application/xhtml+xml")
@dataclass(frozen=True)
class Response:
    url: str  # after redirects
    status: int  # 200, or 304 for a conditional request that found nothing new
    body: bytes = b""
    content_type: str | None = None
    charset: str | None = None
    etag: str | None = None
    last_modified: str | None = None


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
        from ..stages.formats import read_bytes

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


