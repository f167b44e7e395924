import io
import json
import os

import pytest

from dedupe.errors import InputError
from dedupe.stages.read import read_documents

STORY = "Flood waters rose through the night in Millbrook, forcing 200 residents from their homes."


def write(path, content, mode="w"):
    if mode == "wb":
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_jsonl_fields_and_extra_keys_kept(tmp_path):
    f = write(tmp_path / "a.jsonl", json.dumps({
        "id": "m1", "text": STORY, "source": "Millbrook Echo", "published": "2026-02-01T08:00:00Z",
        "title": "Flood", "url": "https://echo.example/flood", "section": "local"}) + "\n\n")
    [doc] = read_documents([f])
    assert (doc.id, doc.source, doc.title, doc.url) == ("m1", "Millbrook Echo", "Flood", "https://echo.example/flood")
    assert doc.published == "2026-02-01T08:00:00+00:00"
    assert doc.meta == {"section": "local"}


def test_directory_recursive_ids_are_relative_paths(tmp_path):
    write(tmp_path / "top.txt", STORY)
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub" / "page.md", "---\ntitle: Flood\nsource: Echo\npublished: 2026-02-01T09:00:00+00:00\n---\n" + STORY)
    write(tmp_path / "sub" / "notes.csv", "ignored")
    write(tmp_path / ".hidden.txt", STORY)
    docs = read_documents([tmp_path])
    assert [d.id for d in docs] == ["sub/page.md", "top.txt"]
    md = docs[0]
    assert md.title == "Flood" and md.source == "Echo" and md.text == STORY
    assert md.published == "2026-02-01T09:00:00+00:00"


def test_html_reduced_to_article_with_metadata(tmp_path):
    html = f"""<html><head><title>Echo</title>
    <meta property="og:site_name" content="Millbrook Echo">
    <meta property="article:published_time" content="2026-02-01T08:30:00+00:00">
    <link rel="canonical" href="https://echo.example/flood"></head>
    <body><nav><a href="/">Home</a> <a href="/sport">Sport</a></nav>
    <article><h1>Flood forces 200 from homes</h1><p>{STORY}</p>
    <p>Emergency crews worked until dawn to clear the main road, the council said on Sunday morning.</p></article>
    <footer>Copyright Millbrook Echo. All rights reserved. Cookie settings.</footer></body></html>"""
    write(tmp_path / "flood.html", html)
    [doc] = read_documents([tmp_path])
    assert "200 residents" in doc.text
    assert "Cookie settings" not in doc.text
    assert doc.source == "Millbrook Echo"
    assert doc.published == "2026-02-01T08:30:00+00:00"
    assert doc.url == "https://echo.example/flood"


def test_stdin_jsonl():
    stream = io.BytesIO((json.dumps({"id": "s1", "text": STORY}) + "\n").encode())
    [doc] = read_documents(["-"], stdin=stream)
    assert doc.id == "s1"


def test_dicts_and_documents_accepted():
    docs = read_documents([{"id": 7, "text": STORY}])
    assert docs[0].id == "7"


@pytest.mark.parametrize("content, message, line", [
    ('{"id": "a", "text": "ok"}\n{"id": "b", "text": \n', "not valid JSON", 2),
    ('{"id": "a"}\n', "missing 'text'", 1),
    ('{"id": "a", "text": 5}\n', "'text' must be a string", 1),
    ('{"id": "a", "text": "x"}\n{"id": "a", "text": "y"}\n', "duplicate id 'a'", 2),
    ('{"text": "x"}\n', "missing or invalid 'id'", 1),
    ('[1, 2]\n', "expected a JSON object", 1),
    ('{"id": "a", "text": "x", "published": "yesterday"}\n', "not a date", 1),
])
def test_bad_jsonl_names_file_and_line(tmp_path, content, message, line):
    f = write(tmp_path / "bad.jsonl", content)
    with pytest.raises(InputError) as err:
        read_documents([f])
    assert message in str(err.value)
    assert f"bad.jsonl:{line}:" in str(err.value)


def test_undecodable_bytes_name_line(tmp_path):
    f = write(tmp_path / "latin.txt", "first line\nsecond caf\xe9 line\n".encode("latin-1"), "wb")
    with pytest.raises(InputError, match=r"latin.txt:2: undecodable bytes"):
        read_documents([f])


def test_binary_file(tmp_path):
    f = write(tmp_path / "photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "wb")
    with pytest.raises(InputError, match="binary file"):
        read_documents([f])


def test_unreadable_file(tmp_path, monkeypatch):
    f = write(tmp_path / "locked.txt", STORY)
    real = os.open

    def refuse(path, *args, **kw):  # root ignores chmod 0, so refuse the open the way the OS would
        if os.fspath(path).endswith("locked.txt"):
            raise PermissionError(13, "Permission denied")
        return real(path, *args, **kw)

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(InputError, match="locked.txt: cannot read file: Permission denied"):
        read_documents([f])


def test_missing_path_and_unsupported_type(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_documents([tmp_path / "nope.jsonl"])
    f = write(tmp_path / "sheet.xlsx", "x")
    with pytest.raises(InputError, match="unsupported file type"):
        read_documents([f])


def test_duplicate_id_across_files(tmp_path):
    write(tmp_path / "one.jsonl", json.dumps({"id": "top.txt", "text": STORY}) + "\n")
    write(tmp_path / "top.txt", STORY)
    with pytest.raises(InputError, match="duplicate id 'top.txt'"):
        read_documents([tmp_path])


# --- other input shapes (issue 14) ---------------------------------------------------------------

import csv
import gzip

from dedupe.config import ReadOptions

WIRE = ("LONDON, March 17 (Reuters) - Britain's biggest water companies will pay 1.2 billion pounds "
        "to customers after regulators found they missed leak targets for a third straight year.")
PAPER = ("Britain's biggest water companies will pay 1.2 billion pounds to customers, regulators said on "
         "Tuesday, after they missed leak targets for a third year.")


def test_csv_with_common_names_and_rfc822_dates(tmp_path):
    f = tmp_path / "export.csv"
    with f.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "headline", "body", "pubDate", "link", "desk"])
        w.writerow(["r1", "Water firms to pay", WIRE, "Tue, 17 Mar 2026 06:00:00 GMT", "https://wire.example/r1", "uk"])
        w.writerow(["p1", "Water bills cut", PAPER + "\nA second paragraph, \"quoted\".", "2026-03-17 09:30",
                    "https://paper.example/p1", "money"])
    notes = []
    docs = read_documents([f], notify=notes.append)
    assert [d.id for d in docs] == ["r1", "p1"]
    assert docs[0].title == "Water firms to pay" and docs[0].url == "https://wire.example/r1"
    assert docs[0].published == "2026-03-17T06:00:00+00:00" and docs[0].text == WIRE
    assert docs[1].text.endswith('"quoted".') and docs[1].published == "2026-03-17T09:30:00"
    assert notes == [f"{f}: ignoring fields 'desk' (not the id, text, date, source, title or url)"]


def test_tsv_field_options_and_errors_name_the_line(tmp_path):
    f = write(tmp_path / "wire.tsv", "story_no\tstory\tfiled\tagency\n"
                                     f"7\t{WIRE}\t2026-03-17T06:00:00Z\tReuters\n\n8\tonly\n")
    opts = ReadOptions(id_field="story_no", text_field="story", date_field="filed", source_field="agency")
    with pytest.raises(InputError, match=r"wire\.tsv:4: 2 fields in the row, 4 in the header"):
        read_documents([f], options=opts)
    write(f, f"story_no\tstory\tfiled\tagency\n7\t{WIRE}\t2026-03-17T06:00:00Z\tReuters\n")
    [doc] = read_documents([f], options=opts)
    assert (doc.id, doc.source, doc.published, doc.meta) == ("7", "Reuters", "2026-03-17T06:00:00+00:00", {})
    with pytest.raises(InputError, match=r"wire\.tsv:2: missing text field 'content'"):
        read_documents([f], options=ReadOptions(id_field="story_no", text_field="content"))


def test_json_array_and_compressed_jsonl(tmp_path):
    records = [{"id": "r1", "content": WIRE, "date": "2026-03-17T06:00:00Z", "outlet": "Reuters"},
               {"id": "p1", "content": PAPER, "published_at": "17 March 2026 09:30 +0000"}]
    write(tmp_path / "a.json", json.dumps(records))
    (tmp_path / "b.jsonl.gz").write_bytes(gzip.compress(
        "\n".join(json.dumps({**r, "id": r["id"] + "-gz"}) for r in records).encode()))
    docs = read_documents([tmp_path])
    assert [d.id for d in docs] == ["r1", "p1", "r1-gz", "p1-gz"]
    assert docs[0].source == "Reuters" and docs[3].published == "2026-03-17T09:30:00+00:00"
    write(tmp_path / "a.json", json.dumps([records[0], {"id": "x"}]))
    with pytest.raises(InputError, match=r"a\.json: item 2: missing 'text' \(id 'x'\)"):
        read_documents([tmp_path / "a.json"])
    (tmp_path / "c.csv.gz").write_bytes(b"not gzip at all")
    with pytest.raises(InputError, match=r"c\.csv\.gz: not valid gzip data"):
        read_documents([tmp_path / "c.csv.gz"])


def test_zstd_csv(tmp_path):
    zstandard = pytest.importorskip("zstandard", reason="the optional extra zstd is not installed")
    data = f"id,text,source\nr1,\"{WIRE}\",Reuters\n".encode()
    (tmp_path / "news.csv.zst").write_bytes(zstandard.ZstdCompressor().compress(data))
    [doc] = read_documents([tmp_path / "news.csv.zst"])
    assert (doc.id, doc.text, doc.source) == ("r1", WIRE, "Reuters")


def test_parquet_with_timestamps(tmp_path):
    pa = pytest.importorskip("pyarrow", reason="the optional extra parquet is not installed")
    import pyarrow.parquet as pq
    from datetime import datetime, timezone

    table = pa.table({"article_id": [1, 2], "Title": ["Water firms to pay", "Water bills cut"],
                      "Text": [WIRE, PAPER],
                      "date": [datetime(2026, 3, 17, 6, tzinfo=timezone.utc), datetime(2026, 3, 17, 9, 30, tzinfo=timezone.utc)]})
    pq.write_table(table, tmp_path / "news.parquet")
    docs = read_documents([tmp_path / "news.parquet"])
    assert [(d.id, d.title, d.published) for d in docs] == [
        ("1", "Water firms to pay", "2026-03-17T06:00:00+00:00"), ("2", "Water bills cut", "2026-03-17T09:30:00+00:00")]


def test_parquet_without_pyarrow_says_so(tmp_path, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_pyarrow(name, *args, **kwargs):
        if name.startswith("pyarrow"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pyarrow)
    write(tmp_path / "news.parquet", b"PAR1", "wb")
    with pytest.raises(InputError) as err:
        read_documents([tmp_path / "news.parquet"])
    assert str(err.value) == f"{tmp_path / 'news.parquet'}: reading Parquet needs pyarrow: pip install 'newsdedupe[parquet]'"


def test_directory_with_nothing_readable_names_what_it_found(tmp_path):
    write(tmp_path / "a.xml", "<rss/>")
    write(tmp_path / "b.docx", "x")
    with pytest.raises(InputError, match=r"no readable files \(found \.docx, \.xml\)"):
        read_documents([tmp_path])


def test_jsonl_date_alias_and_ignored_fields_told_once(tmp_path):
    f = write(tmp_path / "a.jsonl", "\n".join(json.dumps(r) for r in [
        {"id": "r1", "text": WIRE, "date": "Tue, 17 Mar 2026 06:00:00 GMT", "topics": ["water"]},
        {"id": "p1", "body": PAPER, "date": "2026-03-17", "topics": [], "places": ["uk"]}]))
    notes = []
    docs = read_documents([f], notify=notes.append)
    assert [d.published for d in docs] == ["2026-03-17T06:00:00+00:00", "2026-03-17T00:00:00"]
    assert docs[1].text == PAPER
    assert notes == [f"{f}: ignoring fields 'topics', 'places' (not the id, text, date, source, title or url)"]


FIRE_PAGE = """<!DOCTYPE html><html><head><title>Harwick grain store fire: man charged | {outlet}</title>
<meta property="og:site_name" content="{outlet}"></head><body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>{headline}</h1>
<p>{lead} said on Monday that a 43-year-old man had been charged with arson after a fire destroyed the town's old grain store on Saturday night.</p>
<p>The fire service said crews from three stations fought the blaze for six hours, and that damage was estimated at 2 million pounds.</p>
<p>The man is due to appear before magistrates in Eastbrook on Wednesday.</p>
</article></body></html>"""


@pytest.mark.parametrize("headline", ["Harwick grain store fire: man charged", "HARWICK GRAIN STORE FIRE: MAN CHARGED."])
def test_html_headline_is_the_title_not_the_first_sentence(tmp_path, headline):
    f = write(tmp_path / "fire.html", FIRE_PAGE.format(outlet="Harwick Times", headline=headline, lead="Police in Harwick"))
    [doc] = read_documents([f])
    assert doc.title.casefold().rstrip(".") == "harwick grain store fire: man charged" and doc.source == "Harwick Times"
    assert doc.text.startswith("Police in Harwick said on Monday") and "man charged\n" not in doc.text
    assert doc.meta == {}


def test_diff_reads_html_like_scan(tmp_path):
    from click.testing import CliRunner

    from dedupe.cli import main

    a = write(tmp_path / "times.html", FIRE_PAGE.format(outlet="Harwick Times", headline="Harwick grain store fire: man charged",
                                                        lead="Police in Harwick"))
    b = write(tmp_path / "echo.html", FIRE_PAGE.format(outlet="Eastbrook Echo", headline="Man charged over grain store blaze",
                                                       lead="Detectives in Harwick"))
    result = CliRunner().invoke(main, ["diff", str(a), str(b), "--format", "text", "--no-color"])
    assert result.exit_code == 0, result.output
    body = result.stdout.split("\n", 2)[2]
    assert body.startswith("{~Detectives~}") or body.startswith("{+Detectives")
    for markup in ("<", "content=", "Eastbrook Echo", "Home", "Man charged over grain store blaze"):
        assert markup not in body
    assert "magistrates in Eastbrook on Wednesday" in body


# Pages a site shows a scraper instead of the article (own wording, after the kinds found
# in scraped news corpora), and articles that only mention such things.
RATE_LIMIT_PAGE = (
    "Sorry, we have seen too many requests from the IP address you are connecting from.\n\n"
    "We think someone may be misusing the IP address you share.\n\n"
    "To carry on reading, tick \"I am not a robot\" and solve the captcha below.\n\n"
    "Your IP address: 203.0.113.7")
COOKIE_WALL = (
    "Stadtrat beschließt neue Buslinie nach Ehrang\nOK\n\n"
    "Wir verwenden auf unserer Website Cookies, damit Sie alle Funktionen unseres Angebots nutzen können. "
    "Cookies helfen uns außerdem, Inhalte und Werbung auf Sie abzustimmen. "
    "Wenn Sie unsere Website weiter nutzen, stimmen Sie dem Einsatz von Cookies zu. "
    "Mehr dazu und wie Sie Cookies abschalten, lesen Sie in unserer Datenschutzerklärung.")
BAKERY_STORY = (
    "Oven-fresh cookies sold out within an hour at the Harrogate food fair on Saturday. The cookies, "
    "made by a family bakery in Ripon, used butter from a dairy two miles away. Queues for the cookies "
    "stretched past the bandstand. Baker Ann Fell, 61, said she would bake 4,000 cookies next year.")
VIDEO_STORY = (
    "Flood water closes coast road at Saltburn\nPlease enable JavaScript to watch this video\n\n"
    "SALTBURN -- The A174 coast road was closed on Tuesday after a high tide and a north-easterly gale "
    "pushed sea water over the promenade. Cleveland Police said drivers should use the inland route "
    "through Brotton until the council had cleared the shingle, which could take two days. Three "
    "cafes on the lower promenade were flooded, and the lifeboat crew helped two people from a car.")


def test_site_notices_are_recognised_and_articles_are_not():
    from dedupe.stages.read import site_notice
    for page in (RATE_LIMIT_PAGE, COOKIE_WALL):
        assert site_notice(page, len(page.split())).startswith("not an article: a site notice")
    for story in (BAKERY_STORY, VIDEO_STORY):
        assert site_notice(story, len(story.split())) is None


def test_scan_skips_site_notices_with_the_reason(tmp_path):
    import dedupe
    from dedupe.engines.incremental import scan_into_store
    docs = [{"id": "bus-a", "text": COOKIE_WALL}, {"id": "bus-b", "text": COOKIE_WALL.replace("Buslinie", "Radweg")},
            {"id": "blocked-1", "text": RATE_LIMIT_PAGE}, {"id": "blocked-2", "text": RATE_LIMIT_PAGE},
            {"id": "flood", "text": VIDEO_STORY}, {"id": "flood-copy", "text": VIDEO_STORY}]
    notices = ["bus-a", "bus-b", "blocked-1", "blocked-2"]
    for report in (dedupe.scan(docs), scan_into_store(docs, str(tmp_path / "store.db"))):
        assert [s.id for s in report.skipped] == notices
        assert all(s.reason.startswith("not an article: a site notice") for s in report.skipped)
        # the two identical block pages are no longer reported as a duplicate
        assert [sorted(m.id for m in c.members) for c in report.clusters] == [["flood", "flood-copy"]]
