"""The safety net never destroys what it protects: backups copy no damage, `restore` loses nothing, files
that are not our store are refused untouched, read-only stores can still be read."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from datetime import date
from pathlib import Path

import pytest
from reviewing import write_deck

from conftest import corrupt, run_cli
from flashcards.errors import FlashcardsError
from flashcards.store.backups import backup_infos, backups, daily_backup

pytestmark = pytest.mark.slow  # end to end (the CLI on real stores and backups): run by CI, left out of the quick loop


def answers_in(path) -> int:
    with sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True) as conn:
        return conn.execute("SELECT count(*) FROM review_log").fetchone()[0]


def indexes_of(path) -> set[str]:
    with sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True) as conn:
        return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}


def test_a_damaged_store_is_never_backed_up_and_a_week_of_tries_keeps_the_good_backups(reviewed):
    _, db = reviewed
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for day in range(1, 8):
        daily_backup(db, today=date(2025, 1, day))
    good = sorted(path.name for path in backups(db))
    corrupt(db)
    for day in range(8, 16):  # a week and more of failed tries
        with pytest.raises(FlashcardsError, match="damaged"):
            daily_backup(db, today=date(2025, 1, day))
    assert sorted(path.name for path in backups(db)) == good
    assert not list((db.parent / "backups").glob("*.partial"))
    check = run_cli("check", "--db", str(db))
    assert check.code == 1 and f"flashcards restore --db {db}" in check.stderr


def test_rotation_never_removes_good_backups_while_a_damaged_one_is_counted(reviewed):
    _, db = reviewed
    made = [daily_backup(db, today=date(2025, 1, day)) for day in range(1, 8)]
    corrupt(made[-1], start=1024, end=4096 * 3)  # the newest goes bad on disk
    newer = daily_backup(db, today=date(2025, 1, 8))
    kept = set(backups(db))
    assert set(made[:-1]) <= kept and newer in kept  # seven good ones, the damaged one not among them


def test_a_backup_made_under_a_clock_years_ahead_does_not_stay_newest(reviewed):
    _, db = reviewed
    future = daily_backup(db, today=date(2099, 1, 1))
    made = [daily_backup(db, today=date(2025, 1, day)) for day in range(1, 8)]
    assert backups(db)[-1] == made[-1]  # the newest is the one made last, whatever its name says
    assert future not in backups(db)  # rotated away like any other old backup
    assert len(backups(db)) == 7


def test_backups_are_compact_hold_schedules_log_settings_and_export_times_not_the_deck_cache(reviewed, tmp_path):
    _, db = reviewed
    assert run_cli("config", "desired_retention", "0.85", "--db", str(db)).code == 0
    backup = daily_backup(db, today=date(2025, 1, 1))
    with sqlite3.connect(backup) as conn:
        assert conn.execute("SELECT count(*) FROM deck_cards").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM schedule").fetchone()[0] == 4
        assert conn.execute("SELECT count(*) FROM review_log").fetchone()[0] == 2
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert '"desired_retention": 0.85' in backup_infos(db)[-1].settings


def test_the_first_review_of_a_day_backs_up_in_the_background_holding_the_store_as_it_began(tmp_path):
    deck = tmp_path / "deck.yaml"
    write_deck(deck, 3)
    db = tmp_path / "fc.db"
    assert run_cli("review", str(deck), "--db", str(db), stdin="3\n").code == 0
    assert run_cli("review", str(deck), "--db", str(db), stdin="3\n").code == 0
    [backup] = backups(db)
    assert answers_in(backup) == 0 and answers_in(db) == 2


def test_restore_moves_the_store_with_its_wal_aside_and_twice_loses_nothing(reviewed):
    deck, db = reviewed
    daily_backup(db, today=date(2025, 1, 1))  # holds the 2 answers
    assert run_cli("review", str(deck), "--db", str(db), stdin="3\n").code == 0
    keep = sqlite3.connect(db)  # an open connection keeps the -wal beside the store, as a live session does
    keep.execute("INSERT INTO review_log (card_id, reviewed_at, rating, duration_ms, state_before, state_after) "
                  "VALUES ('x', 1, 3, 1, 0, 1)")
    keep.commit()
    originals = {suffix: os.path.getsize(f"{db}{suffix}") for suffix in ("", "-wal") if os.path.exists(f"{db}{suffix}")}
    assert "-wal" in originals
    first = run_cli("restore", "--yes", "--db", str(db))
    keep.close()
    assert first.code == 0, first.stderr
    assert "Restored" in first.stdout
    [aside] = [p for p in db.parent.iterdir() if p.name.startswith("fc-before-restore-")]
    assert (aside / "fc.db").exists() and (aside / "fc.db-wal").exists()
    assert answers_in(aside / "fc.db") == 4  # everything the store held, its WAL included
    assert answers_in(db) == 2
    assert indexes_of(db) == indexes_of(aside / "fc.db")  # a compact backup's indexes are made again
    assert run_cli("check", "--db", str(db)).code == 0
    assert run_cli("due", str(deck), "--db", str(db)).code == 0  # the deck cache refills
    second = run_cli("restore", "--yes", "--db", str(db))  # following the advice twice
    assert second.code == 0, second.stderr
    asides = [p for p in db.parent.iterdir() if p.name.startswith("fc-before-restore-")]
    assert len(asides) == 2 and answers_in(aside / "fc.db") == 4


def test_restore_without_yes_from_a_script_changes_nothing(reviewed):
    _, db = reviewed
    before = db.read_bytes()
    result = run_cli("restore", "--db", str(db), stdin="")
    assert result.code == 1 and "--yes" in result.stderr and db.read_bytes() == before


def test_an_empty_file_at_the_store_path_is_refused_untouched(tmp_path):
    deck = tmp_path / "deck.yaml"
    write_deck(deck, 2)
    db = tmp_path / "fc.db"
    db.write_bytes(b"")
    for command in (("review", str(deck)), ("due", str(deck)), ("check",)):
        result = run_cli(*command, "--db", str(db), stdin="q\n")
        assert result.code == 1 and "empty file" in result.stderr, (command, result.stderr)
        assert command == ("check",) or len(result.stderr.strip().splitlines()) == 1
    assert db.read_bytes() == b"" and not os.path.exists(f"{db}-wal")


def test_an_anki_collection_given_as_the_store_is_refused_untouched(tmp_path, anki_collection):
    path = anki_collection.path
    anki_collection.close()
    before = Path(path).read_bytes()
    deck = tmp_path / "deck.yaml"
    write_deck(deck, 2)
    result = run_cli("review", str(deck), "--db", path, stdin="q\n")
    assert result.code == 1 and len(result.stderr.strip().splitlines()) == 1
    assert "another program's SQLite database" in result.stderr
    assert Path(path).read_bytes() == before and not os.path.exists(f"{path}-wal")


def _read_only_mount(folder):
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a read-only filesystem")
    if subprocess.run(["mount", "--bind", str(folder), str(folder)], capture_output=True, check=False).returncode != 0:
        pytest.skip("cannot bind-mount here")
    subprocess.run(["mount", "-o", "remount,bind,ro", str(folder)], check=True)


@pytest.mark.parametrize("with_wal", [False, True])
def test_on_a_read_only_filesystem_due_stats_and_check_work(reviewed, with_wal):
    deck, db = reviewed
    write_deck(deck, 6)  # changed since the store cached it: due must parse it without caching it
    keep = sqlite3.connect(db)  # a -wal and -shm left beside the store (as after a crash), or none
    keep.execute("SELECT count(*) FROM schedule").fetchone()
    if not with_wal:
        keep.close()
    before = {p.name: p.read_bytes() for p in db.parent.iterdir() if p.is_file()}
    _read_only_mount(db.parent)
    try:
        check = run_cli("check", "--db", str(db))
        assert check.code == 0 and "ok (4 cards, 2 answers)" in check.stdout, check.stderr
        due = run_cli("due", str(deck), "--db", str(db), "--json")
        assert due.code == 0 and json.loads(due.stdout)["new"] == 4, due  # 6 cards, 2 answered
        assert run_cli("stats", "--db", str(db), "--json").code == 0
        review = run_cli("review", str(deck), "--db", str(db), stdin="3\n")
        assert review.code == 1 and "read-only" in review.stderr
    finally:
        subprocess.run(["umount", str(db.parent)], check=True)
        after = {p.name: p.read_bytes() for p in db.parent.iterdir() if p.is_file()}
        keep.close()
    assert after == before


def test_a_backup_that_cannot_be_written_says_the_backup_failed_and_the_review_goes_on(tmp_path):
    deck = tmp_path / "deck.yaml"
    write_deck(deck, 2)
    db = tmp_path / "fc.db"
    (tmp_path / "backups").write_text("a file where the backups folder should be")
    result = run_cli("review", str(deck), "--db", str(db), stdin="3\n")
    assert result.code == 0 and "backup failed" in result.stderr and "internal error" not in result.stderr
    assert answers_in(db) == 1


def test_a_disk_full_backup_blames_the_backup_and_leaves_no_partial_file(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a tiny filesystem")
    deck = tmp_path / "deck.yaml"
    write_deck(deck, 400, back="x" * 200)
    db = tmp_path / "fc.db"
    folder = tmp_path / "backups"
    folder.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=12k", "tmpfs", str(folder)], capture_output=True, check=False).returncode:
        pytest.skip("cannot mount tmpfs here")
    try:
        result = run_cli("review", str(deck), "--db", str(db), stdin="3\n")
        assert result.code == 0 and "backup failed" in result.stderr and "the store itself is fine" in result.stderr
        assert list(folder.iterdir()) == []
        assert answers_in(db) == 1
    finally:
        subprocess.run(["umount", str(folder)], check=True)
