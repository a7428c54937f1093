"""What commands say, as a person reads it: counts with their plurals, intervals, what a restore did, errors
that name what they are about."""

from __future__ import annotations

import re
from datetime import date

import pytest

from conftest import run_cli
from flashcards.decks.deckfile.writer import save_deck
from flashcards.model import Card, Deck
from flashcards.store.backups import daily_backup

pytestmark = pytest.mark.slow  # end to end (the CLI on every bad input): run by CI, left out of the quick loop


def one_card_deck(path, ident="aaaa000000000001", back="commentary"):
    save_deck(Deck(path.stem, [Card(ident, "The same passage", back, "book")]), path)
    return path


def test_again_on_a_one_minute_step_is_saved_as_due_in_1m(tmp_path):
    deck = one_card_deck(tmp_path / "a.yaml")
    result = run_cli("review", str(deck), "--db", str(tmp_path / "fc.db"), stdin="again\nq\n")
    assert result.code == 0, result.stderr
    assert re.search(r"^Saved: Again, due in 1m \(\d\d:\d\d\)$", result.stdout, re.M), result.stdout


def test_one_card_and_one_answer_are_singular(tmp_path):
    deck = one_card_deck(tmp_path / "a.yaml")
    db = tmp_path / "fc.db"
    assert run_cli("review", str(deck), "--db", str(db), stdin="good\nq\n").code == 0
    check = run_cli("check", "--db", str(db))
    assert f"{db}: ok (1 card, 1 answer)\n" in check.stdout
    exported = run_cli("export", str(deck), "-o", str(tmp_path / "a.apkg"), "--db", str(db))
    assert exported.stdout == f"Exported 1 note from 1 deck to {tmp_path / 'a.apkg'}\n"


def test_restore_says_what_it_restored_the_settings_file_too(tmp_path):
    deck = one_card_deck(tmp_path / "a.yaml")
    db = tmp_path / "fc.db"
    settings = tmp_path / "fc.settings.json"
    assert run_cli("config", "new_per_day", "7", "--db", str(db)).code == 0
    assert run_cli("review", str(deck), "--db", str(db), stdin="good\nq\n").code == 0
    backup = daily_backup(db, today=date(2025, 1, 1))  # holds the answer and new_per_day = 7
    assert run_cli("config", "new_per_day", "9", "--db", str(db)).code == 0
    result = run_cli("restore", "--yes", "--db", str(db))
    assert result.code == 0, result.stderr
    [aside] = [p for p in tmp_path.iterdir() if p.name.startswith("fc-before-restore-")]
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"Restore {backup} (1 answer, and its settings) into {db}; move fc.db")
    assert lines[0].endswith(f", fc.settings.json to {aside}")
    assert lines[1] == f"Restored {backup} into {db}: 1 card, 1 answer"
    assert lines[2] == f"Settings: {settings} restored from the backup"
    assert lines[3].startswith(f"The files it replaced were moved, untouched, to {aside}: fc.db")
    assert lines[3].endswith(", fc.settings.json")
    assert '"new_per_day": 7' in settings.read_text() and '"new_per_day": 9' in (aside / settings.name).read_text()


def test_restore_of_a_backup_without_settings_says_the_defaults_apply(tmp_path):
    deck = one_card_deck(tmp_path / "a.yaml")
    db = tmp_path / "fc.db"
    assert run_cli("review", str(deck), "--db", str(db), stdin="good\nq\n").code == 0
    backup = daily_backup(db, today=date(2025, 1, 1))  # no settings file yet: the defaults were in use
    assert run_cli("config", "new_per_day", "9", "--db", str(db)).code == 0
    result = run_cli("restore", "--yes", "--db", str(db))
    assert result.code == 0, result.stderr
    [aside] = [p for p in tmp_path.iterdir() if p.name.startswith("fc-before-restore-")]
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"Restore {backup} (1 answer; it holds no settings file) into {db}; move fc.db")
    assert lines[2] == (f"Settings: the backup holds none (the defaults were in use), so the defaults apply; "
                        f"yours are in {aside / 'fc.settings.json'}")
    assert not (tmp_path / "fc.settings.json").exists()
    assert run_cli("config", "new_per_day", "--db", str(db)).stdout == "new_per_day = 20\n"


def test_a_damaged_store_without_backups_says_there_are_none(tmp_path):
    deck = one_card_deck(tmp_path / "a.yaml")
    db = tmp_path / "fc.db"
    db.write_bytes(b"this is not sqlite at all" * 100)
    result = run_cli("due", str(deck), "--db", str(db))
    assert result.code == 1
    assert result.stderr == (f"error: {db}: the review store is damaged (file is not a database); it was left "
                             "untouched. Run `flashcards check` for details; there are no backups of it to restore\n")
    assert not (tmp_path / "backups").exists()


def test_a_damaged_store_with_backups_names_their_folder(reviewed):
    deck, db = reviewed
    daily_backup(db, today=date(2025, 1, 1))
    for path in (db, *db.parent.glob("fc.db-*")):
        path.write_bytes(b"this is not sqlite at all" * 100) if path == db else path.unlink()
    result = run_cli("due", str(deck), "--db", str(db))
    assert result.code == 1
    assert result.stderr.endswith(f"; backups are in {db.parent / 'backups'} (`flashcards restore --db {db}` puts "
                                  "the newest good one back)\n")


def test_export_names_the_two_decks_that_share_a_card(tmp_path):
    first = one_card_deck(tmp_path / "a.yaml")
    second = one_card_deck(tmp_path / "b.yaml", back="another commentary")
    result = run_cli("export", str(first), str(second), "-o", str(tmp_path / "x.apkg"), "--db", str(tmp_path / "fc.db"))
    assert result.code == 1
    assert result.stderr == (f"error: card aaaa000000000001 is in two of the exported decks, {first} and {second}; "
                             "keep it in one of them\n")


def test_config_takes_a_negative_value_and_refuses_it_with_its_bounds(tmp_path):
    db = tmp_path / "fc.db"
    result = run_cli("config", "rollover_hour", "-1", "--db", str(db))
    assert (result.code, result.stdout) == (1, "")
    assert result.stderr == "error: rollover_hour must be between 0 and 23, not -1\n"
    assert run_cli("config", "rollover_hour", "24", "--db", str(db)).stderr == \
        "error: rollover_hour must be between 0 and 23, not 24\n"
    assert run_cli("config", "desired_retention", "-0.5", "--db", str(db)).stderr == \
        "error: desired_retention must be between 0.7 and 0.99, not -0.5\n"
    assert run_cli("config", "rollover_hour", "--db", str(db)).stdout == "rollover_hour = 4\n"
