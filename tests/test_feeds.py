"""Fetching and parsing feeds and article pages, against a local server only."""
import socket

import pytest

from dedupe.feeds import (Feed, FeedError, Fetcher, FetchError, FetchOptions, canonical_url, entry_document,
                          html_text, parse_feed, read_feed)
from feedserver import FeedServer, Route, article_page, atom, rss, sample_articles

ARTICLES = sample_articles()
FERRY = ARTICLES["mpa-ferry"]
# the test server is on 127.0.0.1: pages (not only feeds) may be fetched from it here
FAST = FetchOptions(timeout=2.0, delay=0.0, max_bytes=200_000, allow_private=True)


@pytest.fixture()
def server():
    with FeedServer() as srv:
        yield srv


def ferry_item(**extra):
    item = {"title": "Ferry strikes harbour wall at Port Calder", "link": FERRY["url"], "guid": "mpa-0314-ferry",
            "published": FERRY["published"], "text": FERRY["text"]}
    item.update(extra)
    return item


def test_rss_entry_fields():
    body = rss("Meridian Press Agency", [ferry_item(link=FERRY["url"] + "?utm_source=rss&id=7#top")])
    title, entries, warnings = parse_feed(body, "https://mpa.example/rss")
    assert title == "Meridian Press Agency" and warnings == ()
    [entry] = entries
    # the outlet (feed host and title), then the link without tracking parameters or fragment
    assert entry.key == "mpa.example/meridian-press-agency " + FERRY["url"] + "?id=7"
    assert entry.published == "2026-03-14T09:00:00+00:00"
    assert entry.content.split("\n\n")[0] == FERRY["text"].split("\n\n")[0]
    assert entry.content.count("\n\n") == FERRY["text"].count("\n\n")


def test_atom_entry_and_summary_only():
    body = atom("Northfield Post", [{"title": "Street trees", "guid": "urn:np:trees", "link": "https://np.example/trees",
                                     "published": "2026-03-16T07:30:00Z", "summary": "Trees cool streets by 4.2C."}])
    title, [entry], _ = parse_feed(body, "https://np.example/atom")
    assert title == "Northfield Post"
    assert entry.content == "" and entry.summary == "Trees cool streets by 4.2C."
    assert entry.published == "2026-03-16T07:30:00+00:00" and entry.guid == "urn:np:trees"


def test_entry_hash_changes_with_the_entry():
    _, [a], _ = parse_feed(rss("X", [ferry_item()]), "u")
    _, [b], _ = parse_feed(rss("X", [ferry_item()]), "u")
    _, [c], _ = parse_feed(rss("X", [ferry_item(text=FERRY["text"] + "\n\nA late paragraph.")]), "u")
    assert a.entry_hash == b.entry_hash != c.entry_hash


def test_entry_without_link_uses_feed_and_guid():
    _, [entry], _ = parse_feed(rss("X", [ferry_item(link=None)]), "https://x.example/rss")
    assert entry.key == "x.example/x https://x.example/rss#mpa-0314-ferry"


@pytest.mark.parametrize("body, message", [
    (b"<!DOCTYPE html><html><body><h1>Welcome</h1><p>Our news</p></body></html>", "not an RSS or Atom feed"),
    (b'<?xml version="1.0"?><rss version="2.0"><channel><title>Broken', "malformed feed"),
    (b"", "empty document"),
    (b'{"items": []}', "not an RSS or Atom feed"),
])
def test_not_a_feed(body, message):
    with pytest.raises(FeedError, match=message):
        parse_feed(body, "https://x.example/rss", content_type="text/html" if b"html" in body else None)


def test_html_text_keeps_paragraphs():
    assert html_text("<p>One <b>bold</b> line.</p><p>Two<br>lines</p><script>x()</script>") == \
        "One bold line.\n\nTwo\nlines"
    assert html_text("plain text\n\nsecond") == "plain text\n\nsecond"
    assert html_text("") == ""


def test_canonical_url():
    assert canonical_url("HTTPS://News.Example/a?b=1&utm_medium=x#frag") == "https://news.example/a?b=1"
    assert canonical_url("https://news.example") == "https://news.example/"


def test_fetch_sends_user_agent_and_honours_etag(server):
    server.routes["/rss"] = Route(rss("Meridian Press Agency", [ferry_item()]), content_type="application/rss+xml",
                                  etag='"v1"', last_modified="Sat, 14 Mar 2026 09:00:00 GMT")
    fetcher = Fetcher(FAST)
    feed = read_feed(server.url("/rss"), fetcher)
    assert len(feed.entries) == 1 and feed.etag == '"v1"' and not feed.not_modified
    _, headers = server.requests[-1]
    assert headers["User-Agent"].startswith("newsdedupe/")
    again = read_feed(server.url("/rss"), fetcher, feed.etag, feed.last_modified)
    assert again.not_modified and again.entries == ()
    _, headers = server.requests[-1]
    assert headers["If-None-Match"] == '"v1"' and headers["If-Modified-Since"] == feed.last_modified


def test_gzip_responses_are_decompressed(server):
    server.routes["/rss"] = Route(rss("X", [ferry_item()]), content_type="application/rss+xml", gzip=True)
    assert len(read_feed(server.url("/rss"), Fetcher(FAST)).entries) == 1


@pytest.mark.parametrize("route, message", [
    (Route(status=404), "HTTP 404"),
    (Route(status=410), "HTTP 410"),
    (Route(status=500), "HTTP 500"),
    (Route(status=302, location="/loop"), "redirect loop"),
    (Route(b"x", delay=1.5), "timed out after 0.5 s"),
    (Route(b"<rss>" + b"x" * 300_000), "larger than 200000 bytes"),
])
def test_fetch_failures_are_one_line(server, route, message):
    server.routes["/loop"] = route
    fetcher = Fetcher(FetchOptions(timeout=0.5, delay=0.0, max_bytes=200_000))
    with pytest.raises(FetchError, match=message) as caught:
        fetcher.get(server.url("/loop"), trusted=True)  # a feed named by the user: any address
    assert "\n" not in str(caught.value)


def test_unreachable_host_and_bad_scheme():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    with pytest.raises(FetchError, match="connection refused"):
        Fetcher(FAST).get(f"http://127.0.0.1:{port}/rss")
    with pytest.raises(FetchError, match="unsupported URL scheme 'ftp'"):
        Fetcher(FAST).get("ftp://127.0.0.1/rss")


def test_local_files(tmp_path):
    path = tmp_path / "feed.xml"
    path.write_bytes(rss("Meridian Press Agency", [ferry_item()]))
    assert len(read_feed(str(path), Fetcher(FAST)).entries) == 1
    assert len(read_feed(path.as_uri(), Fetcher(FAST)).entries) == 1
    with pytest.raises(FetchError, match="no such file"):
        read_feed(str(tmp_path / "missing.xml"), Fetcher(FAST))


def test_pause_between_requests_to_one_host(server):
    server.routes["/a"] = Route(b"a")
    now = [100.0]
    slept = []
    fetcher = Fetcher(FetchOptions(delay=2.0, allow_private=True), sleep=lambda s: (slept.append(s), now.__setitem__(0, now[0] + s)),
                      clock=lambda: now[0])
    fetcher.get(server.url("/a"))
    now[0] += 0.5
    fetcher.get(server.url("/a"))
    assert slept == [pytest.approx(1.5)]


def test_summary_only_entry_fetches_the_page(server):
    page_text = ARTICLES["northfield-post-trees"]["text"]
    server.routes["/trees"] = Route(article_page("Street trees cool Northfield", page_text, "Northfield Post",
                                                 "2026-03-16T07:30:00+00:00"))
    item = {"title": "Street trees cool Northfield", "link": server.url("/trees"), "guid": "np-trees",
            "published": "2026-03-16T07:30:00+00:00", "summary": "A study finds trees cool streets."}
    title, entries, _ = parse_feed(rss("Northfield Post", [item]), server.url("/rss"))
    feed = Feed(url=server.url("/rss"), title=title, entries=entries)
    doc = entry_document(entries[0], feed, Fetcher(FAST))
    assert doc.source == "Northfield Post" and doc.title == "Street trees cool Northfield"
    assert page_text.split("\n\n")[0] in doc.text and page_text.split("\n\n")[-1] in doc.text
    assert "cookies" not in doc.text and "Most read" not in doc.text
    assert doc.meta["feed"] == feed.url
    # --no-fetch: the summary
    assert entry_document(entries[0], feed, None).text == "A study finds trees cool streets."
    # a page that fails is a FetchError (try again next run)
    server.routes["/trees"] = Route(status=500)
    with pytest.raises(FetchError, match="HTTP 500"):
        entry_document(entries[0], feed, Fetcher(FAST))


def test_full_text_entry_needs_no_page(server):
    _, entries, _ = parse_feed(rss("Meridian Press Agency", [ferry_item(link=server.url("/never"))]), "u")
    doc = entry_document(entries[0], Feed(url="u", title="Meridian Press Agency", entries=entries), Fetcher(FAST))
    assert server.hits("/never") == 0
    assert doc.source == "Meridian Press Agency" and doc.published == FERRY["published"]
    assert len(doc.text.split()) == len(FERRY["text"].split())


def test_options_are_checked():
    from dedupe import OptionsError

    with pytest.raises(OptionsError, match="timeout"):
        FetchOptions(timeout=0)
    with pytest.raises(OptionsError, match="max_bytes"):
        FetchOptions(max_bytes=10)
