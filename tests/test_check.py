"""`flashcards check` and damaged stores: found, explained with a fix, never replaced."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

import pytest
from reviewing import write_deck

from conftest import corrupt, run_cli
from flashcards.store.backups import daily_backup

pytestmark = pytest.mark.slow  # end to end (the CLI on damaged stores): run by CI, left out of the quick loop


@pytest.fixture
def reviewed(reviewed):
    """The shared reviewed store, its WAL folded into the file (so damage to the file is damage to the data)."""
    deck, db = reviewed
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return deck, db


def test_a_sound_store_checks_ok(reviewed):
    _, db = reviewed
    result = run_cli("check", "--db", str(db))
    assert result.code == 0
    assert "ok (4 cards, 2 answers)" in result.stdout
    assert "backups (1): newest" in result.stdout
    assert json.loads(run_cli("check", "--db", str(db), "--json").stdout)["ok"] is True


def test_a_damaged_store_is_reported_with_the_backup_to_restore_and_left_byte_identical(reviewed):
    deck, db = reviewed
    corrupt(db)
    damaged = db.read_bytes()
    result = run_cli("check", "--db", str(db))
    assert result.code == 1
    newest = sorted((db.parent / "backups").glob("fc-*.db"))[-1]
    assert "problem:" in result.stderr and f"flashcards restore --db {db}" in result.stderr
    for command in (("due", str(deck)), ("review", str(deck)), ("stats",), ("optimize",)):
        other = run_cli(*command, "--db", str(db), stdin="q\n")
        assert other.code == 1, command
        lines = other.stderr.strip().splitlines()
        assert len(lines) == 1 and "damaged" in lines[0] and "backups" in lines[0], (command, other.stderr)
    assert db.read_bytes() == damaged
    with sqlite3.connect(newest) as backup:  # the backup the fix names is sound and holds the answers
        assert backup.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_file_that_is_not_a_store_is_refused_by_every_command_and_kept(tmp_path):
    db = tmp_path / "fc.db"
    db.write_bytes(b"my thesis draft, not a database\n" * 50)
    before = db.read_bytes()
    check = run_cli("check", "--db", str(db))
    assert check.code == 1 and "file is not a database" in check.stderr
    deck = tmp_path / "deck.yaml"
    write_deck(deck, 1)
    review = run_cli("review", str(deck), "--db", str(db), stdin="q\n")
    assert review.code == 1 and review.stderr.count("\n") == 1 and "left untouched" in review.stderr
    assert db.read_bytes() == before


def test_check_on_a_missing_store_says_so(tmp_path):
    result = run_cli("check", "--db", str(tmp_path / "none.db"))
    assert result.code == 1 and "no review store here" in result.stderr
    assert not (tmp_path / "none.db").exists()


def test_daily_backups_once_a_day_keep_the_last_seven(tmp_path, reviewed):
    _, db = reviewed
    folder = db.parent / "backups"
    assert len(list(folder.glob("fc-*.db"))) == 1  # the first review of the day made one
    deck = db.parent / "deck.yaml"
    run_cli("review", str(deck), "--db", str(db), stdin="3\n")
    assert len(list(folder.glob("fc-*.db"))) == 1  # a second run the same day makes none
    with sqlite3.connect(sorted(folder.glob("fc-*.db"))[0]) as backup:  # taken as the day's first session began
        assert backup.execute("SELECT count(*) FROM review_log").fetchone()[0] == 0
    for day in range(1, 12):
        assert daily_backup(db, today=date(2025, 1, day)) is not None
    assert daily_backup(db, today=date(2025, 1, 11)) is None
    with sqlite3.connect(folder / "fc-2025-01-11.db") as backup:  # a backup holds every answer so far
        assert backup.execute("SELECT count(*) FROM review_log").fetchone()[0] == 3
    kept = sorted(path.name for path in folder.glob("fc-*.db"))
    assert len(kept) == 7 and kept[0] == "fc-2025-01-05.db"  # the first made (today's, by the review) rotated away


def test_counts_that_disagree_with_an_intact_log_are_recounted_from_it_never_restored_away(reviewed):
    """An answer count off while the log is whole (as an import used to leave it) is not damage: the advice is
    to recount from the log, which keeps every answer; a restore would lose the ones newer than the backup."""
    _, db = reviewed
    with sqlite3.connect(db) as conn:
        card = conn.execute("SELECT card_id FROM review_log LIMIT 1").fetchone()[0]
        conn.execute("UPDATE schedule SET reps = 9, lapses = 4 WHERE card_id = ?", (card,))
    conn.close()
    result = run_cli("check", "--db", str(db))
    assert result.code == 1
    assert "1 card whose answer count disagrees with the review log" in result.stderr
    assert f"flashcards check --repair --db {db}" in result.stderr and "restore" not in result.stderr
    repaired = run_cli("check", "--repair", "--db", str(db))
    assert repaired.code == 0, repaired.stderr
    assert "recounted 1 card" in repaired.stdout and "ok (4 cards, 2 answers)" in repaired.stdout
    backup = db.parent / "backups" / "fc-before-repair.db"
    assert str(backup) in repaired.stdout
    with sqlite3.connect(backup) as copy:  # taken first, as the store was
        assert copy.execute("SELECT reps FROM schedule WHERE card_id = ?", (card,)).fetchone()[0] == 9
    copy.close()
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT reps, lapses FROM schedule WHERE card_id = ?", (card,)).fetchone() == (1, 0)
        assert conn.execute("SELECT count(*) FROM review_log").fetchone()[0] == 2
    conn.close()
    assert run_cli("check", "--db", str(db)).code == 0
    assert "nothing to repair" in run_cli("check", "--repair", "--db", str(db)).stdout


def test_restore_is_advised_only_for_a_damaged_store_and_says_what_the_backup_lacks(reviewed):
    _, db = reviewed
    corrupt(db)
    damaged = db.read_bytes()
    result = run_cli("check", "--db", str(db))
    assert result.code == 1 and f"flashcards restore --db {db}" in result.stderr
    # the day's backup was taken as the first review began: it holds none of the answers given since
    assert "holds 0 answers" in result.stderr and "not in it" in result.stderr
    refused = run_cli("check", "--repair", "--db", str(db))
    assert refused.code == 1 and "flashcards restore" in refused.stderr and "cannot be repaired" in refused.stderr
    assert db.read_bytes() == damaged
