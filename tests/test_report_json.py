"""The saved JSON report: it carries the clustered texts and reads back exactly, or fails clearly."""
import copy
import json

import pytest

import dedupe
from dedupe.errors import ReportError
from dedupe.report.json import load_report, parse_report
from conftest import DATA


@pytest.fixture(scope="module")
def sample_report():
    return dedupe.scan([DATA / "sample"])


@pytest.fixture(scope="module")
def sample_json(sample_report):
    return sample_report.to_json()


def test_texts_hold_the_clustered_documents_only(sample_report, sample_json):
    data = json.loads(sample_json)
    clustered = [m["id"] for c in data["clusters"] for m in c["members"]]
    assert list(data["texts"]) == clustered
    assert "rovers-cup-final" not in data["texts"] and "coast-radio-traffic" not in data["texts"]
    entry = data["texts"]["mpa-ferry"]
    assert set(entry) == {"text", "source", "published", "title", "url"}
    assert entry["text"] == sample_report.texts["mpa-ferry"].text and entry["source"] == "Meridian Press Agency"
    assert data["texts"]["files/ridgeline-kestrel.txt"]["published"] is None


def test_saved_report_reads_back_byte_identical(sample_json, tmp_path):
    path = tmp_path / "report.json"
    path.write_text(sample_json, encoding="utf-8")
    again = load_report(path)
    assert again.to_json() == sample_json
    assert again.clusters[0].members[1].diff.segments


def test_report_without_texts_still_reads(sample_json):
    data = json.loads(sample_json)
    del data["texts"]
    report = parse_report(data)
    assert report.texts == {} and len(report.clusters) == 4


def _broken(sample_json, change):
    data = json.loads(sample_json)
    change(data)
    return json.dumps(data)


def _set(path, value):
    def change(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return change


def _delete(path):
    def change(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]
    return change


@pytest.mark.parametrize("change, message", [
    (_set(["schema"], "other/v2"), "report.json: not a dedupe report: schema is 'other/v2', expected 'dedupe/report-v1'"),
    (_delete(["documents"]), "report.json: missing 'documents'"),
    (_set(["documents"], "30"), "report.json: documents: expected int, got str"),
    (_set(["clusters", 0, "members", 1, "relation"], "clone"),
     "report.json: clusters[0].members[1].relation: expected one of duplicate, copy, rewrite, partial, got 'clone'"),
    (_set(["clusters", 0, "members", 1, "of"], "nowhere"),
     "report.json: clusters[0].members[1].of: 'nowhere' is not an earlier member of the cluster"),
    (_set(["clusters", 0, "members", 0, "relation"], "copy"),
     "report.json: clusters[0].members[0]: the first member is the cluster's original"),
    (_set(["clusters", 0, "members", 1, "segments", 0, "kind"], "stolen"),
     "report.json: clusters[0].members[1].segments[0].kind: expected one of kept, reworded, added, got 'stolen'"),
    (_set(["clusters", 0, "members", 1, "segments", 0, "end"], 10 ** 6),
     "clusters[0].members[1].segments[0]: offsets 0..1000000 run past the end of the text of"),
    (_set(["clusters", 0, "members", 1, "removed", 0, "start"], -3), "clusters[0].members[1].removed[0]: bad offsets -3.."),
    (_delete(["clusters", 0, "members", 1, "scores", "cosine"]), "clusters[0].members[1].scores: missing 'cosine'"),
    (_set(["clusters", 0, "original", "id"], "ghost"),
     "report.json: clusters[0].original.id: 'ghost' is not a member of the cluster"),
    (_set(["clusters", 0, "original", "evidence"], [1]), "clusters[0].original.evidence[0]: expected str, got int"),
    (_set(["texts", "mpa-ferry", "text"], None), "report.json: texts['mpa-ferry'].text: expected str, got NoneType"),
    (lambda d: d["clusters"][1]["members"].append({**copy.deepcopy(d["clusters"][0]["members"][1]),
                                                   "of": d["clusters"][1]["members"][0]["id"], "removed": []}),
     "report.json: clusters[1]: 'files/bayside-bulletin-ferry.html' is also in cluster c1"),
])
def test_damaged_report_names_the_place(sample_json, change, message):
    with pytest.raises(ReportError) as info:
        parse_report(_broken(sample_json, change), "report.json")
    assert message in str(info.value)


@pytest.mark.parametrize("content, message", [
    (b"", "x.json: not valid JSON: Expecting value (line 1, column 1)"),
    (b"[1, 2]", "x.json: not a dedupe report: the JSON is list, not an object"),
    (b'{"schema": "dedupe/diff-v1"}', "not a dedupe report: schema is 'dedupe/diff-v1'"),
    (b"\xff\xfe", "x.json: not UTF-8 text"),
])
def test_not_a_report(content, message, tmp_path):
    path = tmp_path / "x.json"
    path.write_bytes(content)
    with pytest.raises(ReportError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_report(content, "x.json")
    with pytest.raises(ReportError, match="x.json"):
        load_report(path)


def test_missing_file(tmp_path):
    with pytest.raises(ReportError, match="nothing.json: cannot read file"):
        load_report(tmp_path / "nothing.json")


def test_indented_json_is_the_standard_librarys_text(sample_report):
    """Report.to_json writes indented JSON itself (the standard library's indented writer is
    pure Python): the text must stay exactly json.dumps's."""
    import enum

    from dedupe.report.jsontext import indented_json

    class Level(enum.IntEnum):
        HIGH = 3

    class Name(str):
        pass

    tricky = {"schema": "x", "n": [0, -1, 2 ** 70, True, False, None, 1.5, 1e-7, 1e22, float("nan"),
                                   float("inf"), -float("inf"), -0.0, Level.HIGH, Name("sub")],
              "empty": [[], {}, (), ""], "tuple": (1, ("a", {"b": ()})),
              "quotes": 'He said "hi"\\\n\t\u2028 — café \x00 \U0001F600',
              7: "int key", 2.5: "float key", True: "bool key", None: "none key", "nested": {"a": {"b": [{}]}}}
    data = sample_report.to_dict()
    for value in (tricky, data, [], {}, "text", 3):
        for indent in (2, 0, 4, "\t", "--"):
            assert indented_json(value, indent) == json.dumps(value, indent=indent, ensure_ascii=False)
    assert sample_report.to_json() == json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
    assert sample_report.to_json(indent=None) == json.dumps(data, ensure_ascii=False) + "\n"
    with pytest.raises(TypeError):
        indented_json({"a": object()})
    with pytest.raises(TypeError):
        indented_json({(1, 2): "tuple key"})


def test_indented_json_tables_are_the_standard_librarys_text(sample_report):
    """Lists of scalars and lists/tables of same-keyed dicts are written by one format each
    (`model._flat_json`): every shape that almost qualifies must still come out as json.dumps."""
    from dedupe.report.jsontext import indented_json

    data = sample_report.to_dict()
    assert any(member.get("segments") for cluster in data["clusters"] for member in cluster["members"])
    assert any(not member.get("removed") for cluster in data["clusters"] for member in cluster["members"])
    segment = {"start": 3, "end": 14, "kind": "reworded"}
    texts = {"a%s": {"text": "Café — naïve 100% \"ok\"\n\u2028 \U0001F600 %d", "source": None, "n": 2 ** 70},
             "b": {"text": "", "source": "Agence France-Presse", "n": -1}}
    cases = [
        [segment] * 3, tuple([segment, dict(segment, kind="kept")]), {"x": segment, "y": segment},
        texts, {7: {"a": 1}, 2.5: {"a": 2}, True: {"a": 3}, None: {"a": 4}},  # keys json turns to text
        [{"a": 1, "b": 2}, {"b": 2, "a": 1}],  # same keys, other order
        [{"a": 1}, {"a": 1, "b": 2}], [{"a": 1}, {"b": 1}],  # other keys
        [{}, {}], [{"a": 1}, {}], {"x": {}, "y": {}}, [[]], [[], {}], {"a": {"b": {}}}, [{"a": []}],
        [{"a": [1]}, {"a": [2]}], {"x": {"a": {"b": 1}}},  # one level too deep for a table
        [{"v": 1.5}, {"v": float("nan")}, {"v": float("inf")}, {"v": -float("inf")}, {"v": -0.0}, {"v": 1e22}],
        [{"v": True}, {"v": False}], [{"v": None}, {"v": 0}], [{"v": 1}, {"v": "1"}, {"v": 1.0}],  # mixed
        [{"v": 1}, {"v": True}],  # bool is not written as an int
        [1, "a", None, True, 2.5, float("nan")], ["é", "%s", "\x00"], [0, -5, 2 ** 80],
        [{"v": 1}, 2], [{"v": 1}, [1]], [segment, {"start": 1, "end": 2, "kind": object()}],
        {"%d": [{"%s": "%"}], "k": [{"%(x)s": 1}]},
    ]
    for value in cases + [data, data["clusters"], data["texts"]]:
        for indent in (2, 0, 3, "\t", "%", "%s"):
            try:
                want = json.dumps(value, indent=indent, ensure_ascii=False)
            except TypeError:
                with pytest.raises(TypeError):
                    indented_json(value, indent)
                continue
            assert indented_json(value, indent) == want, (value, indent)
