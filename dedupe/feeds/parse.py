"""Feeds (RSS, Atom: feedparser) into entries, and entries into documents, fetching an entry's
article page when the feed carries only a summary (stages.formats.html_document: trafilatura)."""
from __future__ import annotations

import hashlib
import io
import re
import urllib.parse
from dataclasses import dataclass, field
from datetime import datetime, timezone

from ..errors import FeedError
from ..model import Document
from .fetch import FEED_ACCEPT, HTML_TYPES, PAGE_ACCEPT, Fetcher
from .urls import article_key, outlet_of


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
    """An article page reduced to its text and metadata (formats.html_document, i.e. trafilatura)."""
    from ..stages.formats import html_document

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
