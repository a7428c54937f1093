"""Conventions every command keeps: --help with an example, --version, one-line errors, NO_COLOR."""

from __future__ import annotations

import pytest

from conftest import run_cli
from flashcards import __version__
from flashcards.cli import app

pytestmark = pytest.mark.slow  # end to end (the CLI in child processes): run by CI, left out of the quick loop

COMMANDS = sorted(command.name or command.callback.__name__ for command in app.registered_commands)


def test_version(cli):
    result = cli("--version")
    assert (result.code, result.stdout.strip()) == (0, f"flashcards {__version__}")


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command):
    from typer.testing import CliRunner

    result = CliRunner().invoke(app, [command, "--help"], prog_name="flashcards", env={"NO_COLOR": "1", "COLUMNS": "200"})
    assert result.exit_code == 0
    assert "Example:" in result.output
    assert f"flashcards {command}" in result.output


def test_no_color_means_no_escape_codes(cli, tmp_path):
    result = cli("convert", str(tmp_path / "missing.txt"), "-o", str(tmp_path / "d.yaml"), env={"TERM": "xterm"})
    assert "\x1b[" not in result.stderr
    assert result.stderr.startswith("error: ")


def test_errors_go_to_stderr_as_one_line_with_nonzero_exit(cli, tmp_path):
    deck = tmp_path / "bad.yaml"
    deck.write_text("name: x\ncards:\n- front: [1, 2]\n", encoding="utf-8")
    result = cli("export", str(deck), "-o", str(tmp_path / "out.apkg"))
    assert result.code == 1
    assert result.stdout == ""
    assert result.stderr == f"error: {deck}:3: 'front' must be text, not a list\n"
    assert not (tmp_path / "out.apkg").exists()


def test_unknown_option_is_a_usage_error(cli):
    result = cli("convert", "--bogus")
    assert result.code == 2
    assert "Traceback" not in result.stderr


def test_convert_json_report(cli, tmp_path):
    import json

    (tmp_path / "e.txt").write_text("P\nC\nP\nD\n", encoding="utf-8")
    result = cli("convert", str(tmp_path / "e.txt"), "-o", str(tmp_path / "d.yaml"), "--json")
    report = json.loads(result.stdout)
    assert (report["cards_added"], report["duplicates_merged"], report["files"][0]["format"]) == (1, 1, "pairs")


@pytest.mark.parametrize(("args", "line"), [
    (("convert", "notes.txt"),
     "flashcards: error: Missing option '-o' / '--output'. See 'flashcards convert --help'."),
    (("cards", "--state", "sleeping"),
     "flashcards: error: Invalid value for '--state': 'sleeping' is not one of 'new', 'learning', 'review', "
     "'suspended', 'leech'. See 'flashcards cards --help'."),
    (("convert", "--bogus"), "flashcards: error: No such option: --bogus. See 'flashcards convert --help'."),
    (("bogus",), "flashcards: error: No such command 'bogus'. See 'flashcards --help'."),
    (("config", "rollover_hour", "--bogus"), "error: no such option: --bogus (see 'flashcards config --help')"),
])
def test_usage_errors_are_one_line_on_stderr_with_exit_2(cli, args, line):
    result = cli(*args, env={"COLUMNS": "80"})
    assert (result.code, result.stdout, result.stderr) == (2, "", line + "\n")


def help_at(columns: int, *args: str) -> list[str]:
    result = run_cli(*args, "--help", env={"COLUMNS": str(columns)})
    assert result.code == 0, result.stderr
    return result.stdout.splitlines()


def test_config_help_has_a_line_for_every_setting_none_broken_at_80_columns():
    from flashcards.settings import names

    lines = [line.strip() for line in help_at(80, "config")]
    for name in names():
        [line] = [line for line in lines if line.startswith(f"{name}:")]
        assert len(line) > len(name) + 10, line  # a text of its own
        assert line.endswith(")"), line  # ends with Anki's default: nothing wrapped to the next line
    assert any(line.endswith("(Anki: 0.9)") for line in lines)
    assert any(line.startswith("learn_ahead_minutes: ") and line.endswith("(Anki: 20)") for line in lines)


@pytest.mark.parametrize("command", COMMANDS)
def test_no_metavar_is_split_across_lines_at_80_columns(command):
    import re

    for line in help_at(80, command):
        shown = re.sub(r"\[[^\]]*\]", "", line)  # ranges such as [1<=x<=36500] are not metavars
        assert shown.count("<") == shown.count(">"), line
