"""What programs rely on: the public namespace, the shipped type marker and the report's JSON Schema."""
import configparser
import copy
import json
from importlib import resources
from types import ModuleType

import pytest

import dedupe
from conftest import DATA, ROOT

jsonschema = pytest.importorskip("jsonschema", reason="the report schema is checked with jsonschema (the test extra)")


def test_public_namespace_is_all():
    assert [name for name in dir(dedupe) if not name.startswith("__")] == sorted(dedupe.__all__)
    for name in dedupe.__all__:
        assert getattr(dedupe, name) is not None
    # submodules are attributes once loaded; nothing else that is not in __all__ is
    stray = [name for name, value in vars(dedupe).items() if not name.startswith("_") and name not in dedupe.__all__
             and not (isinstance(value, ModuleType) and value.__name__ == f"dedupe.{name}")]
    assert stray == []
    for name in ("importlib", "sys", "types"):
        assert not hasattr(dedupe, name)
    assert callable(dedupe.diff) and dedupe.diff.__module__ == "dedupe.pipeline"


def test_type_marker_and_schema_are_package_data():
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    shipped = [name.strip() for name in cfg["options.package_data"]["dedupe"].replace("\n", ",").split(",")]
    for name in ("py.typed", "schema/report-v1.json", "verifier.json"):
        assert name in shipped
        assert resources.files("dedupe").joinpath(name).is_file()
    assets = [name.strip() for name in cfg["options.package_data"]["dedupe.report"].replace("\n", ",").split(",")]
    for name in ("assets/report.js", "assets/report.css"):  # the HTML report's script and style sheet
        assert name in assets
        assert resources.files("dedupe.report").joinpath(name).is_file()


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(resources.files("dedupe").joinpath("schema/report-v1.json").read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@pytest.fixture(scope="module")
def sample_report():
    return json.loads(dedupe.scan([DATA / "sample"]).to_json())


def test_every_report_kind_is_valid(validator, sample_report, tmp_path):
    assert sample_report["clusters"] and sample_report["skipped"]
    validator.validate(sample_report)
    db = str(tmp_path / "news.db")
    dedupe.scan_into_store([DATA / "sample" / "news.jsonl"], db)
    added = json.loads(dedupe.scan_into_store([DATA / "sample" / "files"], db).to_json())
    assert added["clusters"]
    validator.validate(added)
    stored = json.loads(dedupe.store_report(db).to_json())
    assert len(stored["clusters"]) == len(sample_report["clusters"])
    validator.validate(stored)
    validator.validate(json.loads(dedupe.scan([]).to_json()))
    short = dedupe.scan([{"id": "brief", "text": "Storm closes the coast road."}])
    validator.validate(json.loads(short.to_json()))


@pytest.mark.parametrize("path, value", [
    (("clusters", 0, "members", 1, "relation"), "clone"),
    (("clusters", 0, "members", 0, "relation"), "copy"),
    (("clusters", 0, "members", 1, "segments", 0, "kind"), "moved"),
    (("clusters", 0, "original", "in_corpus"), "yes"),
    (("documents",), -1),
    (("schema",), "dedupe/report-v2"),
    (("clusters", 0, "members", 1, "colour"), "red"),
])
def test_schema_rejects_a_damaged_report(validator, sample_report, path, value):
    damaged = copy.deepcopy(sample_report)
    node = damaged
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(damaged)
