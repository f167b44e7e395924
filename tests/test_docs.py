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
