"""Conventions every command keeps: --help with an example, --version, one-line errors, NO_COLOR."""

from __future__ import annotations

import pytest

from flashcards import __version__
from flashcards.cli import app

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
