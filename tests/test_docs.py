"""The README documents every command, and every command has help (docs cannot drift)."""
from click.testing import CliRunner

from dedupe.cli import main
from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_command_has_help_and_is_in_readme():
    runner = CliRunner()
    for name, command in main.commands.items():
        assert command.help, f"dedupe {name} has no help text"
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0
        assert f"dedupe {name}" in README, f"dedupe {name} is not in the README"
        for param in command.params:
            for opt in param.opts:
                if opt.startswith("--") and opt != "--help":
                    assert opt in README or opt.split("/")[0] in README, f"{opt} of dedupe {name} not in README"


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_line = next(line for line in README.splitlines() if "pytest" in line and line.startswith("python3"))
    assert test_line in ci


def test_the_layout_doc_names_every_module_where_it_is():
    import re

    listed, folder = set(), ""
    for line in (ROOT / "docs" / "layout.md").read_text(encoding="utf-8").splitlines():
        m = re.match(r"^( +)(\w+)(/|\.py)\s", line + " ")
        if not m:
            continue
        depth, name, kind = len(m.group(1)) // 2, m.group(2), m.group(3)
        if depth == 1 and kind == "/":
            folder = name + "/"
        elif kind == ".py":
            listed.add((folder if depth == 2 else "") + name + ".py")
    modules = {p.relative_to(ROOT / "dedupe").as_posix() for p in (ROOT / "dedupe").rglob("*.py")}
    modules = {m for m in modules if not (m.endswith("/__init__.py"))}
    assert modules == listed
