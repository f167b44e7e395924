import io
import json
import os

import pytest

from dedupe.errors import InputError
from dedupe.read import read_documents

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
