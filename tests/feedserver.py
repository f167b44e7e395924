"""A local HTTP server for the feed tests (127.0.0.1, a free port): serves feeds and article
pages that the tests change between runs.  Nothing here touches the internet.

Every text is invented for this project (the stories come from data/sample/news.jsonl).
"""
from __future__ import annotations

import gzip
import json
import threading
import time
from dataclasses import dataclass, field
from email.utils import format_datetime
from datetime import datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample" / "news.jsonl"


def sample_articles() -> dict[str, dict]:
    with open(SAMPLE, encoding="utf-8") as fh:
        return {row["id"]: row for row in map(json.loads, fh)}


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    etag: str | None = None
    last_modified: str | None = None
    delay: float = 0.0
    location: str | None = None
    gzip: bool = False
    headers: dict[str, str] = field(default_factory=dict)
    drip: float = 0.0  # > 0: announce the whole body, then send one byte every `drip` seconds
    drip_head: bool = False  # with drip: the headers themselves arrive one byte at a time, never ending


class FeedServer:
    """``server.routes[path] = Route(...)``; ``server.requests`` logs (path, headers) of each request."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep the test output clean
                pass

            def do_GET(self):
                with server._lock:
                    server.requests.append((self.path, dict(self.headers)))
                    route = server.routes.get(self.path)
                if route is None:
                    self.send_error(404, "Not Found")
                    return
                if route.delay:
                    time.sleep(route.delay)
                if route.drip and route.drip_head:
                    try:
                        self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Padding: ")
                        for _ in range(100_000):
                            self.wfile.write(b"x")
                            self.wfile.flush()
                            time.sleep(route.drip)
                    except (BrokenPipeError, ConnectionResetError):
                        pass
                    return
                if route.status != 200:
                    self.send_response(route.status)
                    if route.location:
                        self.send_header("Location", route.location)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if (route.etag and self.headers.get("If-None-Match") == route.etag) or \
                        (route.last_modified and self.headers.get("If-Modified-Since") == route.last_modified):
                    self.send_response(304)
                    self.end_headers()
                    return
                body = gzip.compress(route.body) if route.gzip else route.body
                self.send_response(200)
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length", str(len(body)))
                if route.gzip:
                    self.send_header("Content-Encoding", "gzip")
                if route.etag:
                    self.send_header("ETag", route.etag)
                if route.last_modified:
                    self.send_header("Last-Modified", route.last_modified)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                try:
                    if route.drip:
                        for n in range(len(body)):
                            self.wfile.write(body[n:n + 1])
                            self.wfile.flush()
                            time.sleep(route.drip)
                    else:
                        self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "FeedServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def hits(self, path: str) -> int:
        return sum(1 for p, _ in self.requests if p == path)


def paragraphs_html(text: str) -> str:
    return "".join(f"<p>{escape(p.strip())}</p>" for p in text.split("\n\n") if p.strip())


def rfc822(iso: str) -> str:
    return format_datetime(datetime.fromisoformat(iso))


def rss(title: str, items: list[dict]) -> bytes:
    """An RSS 2.0 feed; an item has title, link, guid, published (ISO), and `text` (full text
    in content:encoded) and/or `summary` (the description)."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">',
           f"<channel><title>{escape(title)}</title><link>https://example.org/</link>"
           f"<description>{escape(title)} news</description>"]
    for item in items:
        out.append("<item>")
        out.append(f"<title>{escape(item['title'])}</title>")
        if item.get("link"):
            out.append(f"<link>{escape(item['link'])}</link>")
        if item.get("guid"):
            out.append(f'<guid isPermaLink="false">{escape(item["guid"])}</guid>')
        if item.get("published"):
            out.append(f"<pubDate>{rfc822(item['published'])}</pubDate>")
        if item.get("summary") is not None:
            out.append(f"<description>{escape(item['summary'])}</description>")
        if item.get("text"):
            out.append(f"<content:encoded><![CDATA[{paragraphs_html(item['text'])}]]></content:encoded>")
        out.append("</item>")
    out.append("</channel></rss>")
    return "\n".join(out).encode("utf-8")


def atom(title: str, entries: list[dict]) -> bytes:
    out = ['<?xml version="1.0" encoding="utf-8"?>', '<feed xmlns="http://www.w3.org/2005/Atom">',
           f"<title>{escape(title)}</title><id>urn:example:{escape(title)}</id>",
           "<updated>2026-03-14T12:00:00Z</updated>"]
    for e in entries:
        out.append("<entry>")
        out.append(f"<title>{escape(e['title'])}</title><id>{escape(e['guid'])}</id>")
        out.append(f'<link rel="alternate" href="{escape(e["link"])}"/>')
        out.append(f"<updated>{e['published']}</updated><published>{e['published']}</published>")
        if e.get("summary"):
            out.append(f"<summary>{escape(e['summary'])}</summary>")
        if e.get("text"):
            out.append(f'<content type="html">{escape(paragraphs_html(e["text"]))}</content>')
        out.append("</entry>")
    out.append("</feed>")
    return "\n".join(out).encode("utf-8")


def article_page(title: str, text: str, site: str, published: str | None = None) -> bytes:
    """A news page with navigation, a cookie banner and a sidebar around the article."""
    meta = f'<meta property="og:site_name" content="{escape(site)}">'
    if published:
        meta += f'<meta property="article:published_time" content="{published}">'
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)} | {escape(site)}</title>
{meta}</head><body>
<div class="cookie-banner">We use cookies to improve your experience. <a href="/privacy">Privacy policy</a></div>
<nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li></ul></nav>
<main><article><h1>{escape(title)}</h1>{paragraphs_html(text)}</article></main>
<aside><h2>Most read</h2><ul><li><a href="/a">Council to review parking charges</a></li>
<li><a href="/b">Rovers sign new goalkeeper</a></li></ul></aside>
<footer><p>Copyright {escape(site)}. All rights reserved.</p></footer>
</body></html>""".encode("utf-8")
