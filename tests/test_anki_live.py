"""The live Anki layer against real collections made with the `anki` package (Anki desktop's backend)."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from anki_collections import HOLDER, answer_in_anki, snapshot

from conftest import import_apkg
from flashcards.anki import live_write
from flashcards.anki.live import (
    AnkiDays,
    NoteWrite,
    ReviewWrite,
    ScheduleWrite,
    locate_collection,
    open_collection,
    read_our_cards,
    read_reviews,
    write_changes,
)
from flashcards.anki.note_type import FIELDS, MODEL_ID
from flashcards.anki.package_out import anki_deck_names, export_decks, field_html, note_guid
from flashcards.errors import FlashcardsError
from flashcards.model import Card, Deck

pytestmark = pytest.mark.slow  # end to end (real Anki collections): run by CI, left out of the quick loop

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
CARDS = [
    Card("c1", "The unexamined life is not worth living.", "Socrates, in the Apology", "apology.txt:3", ["greek"]),
    Card("c2", "<b>bold</b> & [sound:x.mp3]", "line one\nline two", "", []),
    Card("c3", "Know thyself.", "Delphi", "", []),
]
DECKS = [Deck("Plato", CARDS[:2], tags=["philosophy"]), Deck("Oracle", CARDS[2:])]


def note_writes(cards=CARDS, decks=DECKS) -> list[NoteWrite]:
    """What the sync will hand over: the export's GUIDs, deck names and field HTML."""
    writes = []
    for deck, name in zip(decks, anki_deck_names(decks, "Reading"), strict=True):
        for card in deck.cards:
            if card in cards:
                fields = (field_html(card.front), field_html(card.back), field_html(card.source))
                tags = tuple(deck.tags) + tuple(card.tags)
                writes.append(NoteWrite(note_guid(card.id), fields, tags, name))
    return writes


GUIDS = [note_guid(card.id) for card in CARDS]


@pytest.fixture
def profile(tmp_path) -> Path:
    """A real Anki profile folder with an empty collection, closed as Anki leaves it."""
    from anki.collection import Collection

    folder = tmp_path / "Anki2" / "User 1"
    folder.mkdir(parents=True)
    Collection(str(folder / "collection.anki2")).close()
    return folder


@pytest.fixture
def col(profile):
    with open_collection(profile) as col:
        yield col


# --- finding and opening the collection -------------------------------------------------------------


def test_locate_takes_a_file_a_profile_folder_or_the_single_profile(profile, monkeypatch):
    collection = profile / "collection.anki2"
    assert locate_collection(collection) == collection
    assert locate_collection(profile) == collection
    monkeypatch.setenv("FLASHCARDS_ANKI_BASE", str(profile.parent))
    assert locate_collection(None) == collection


def test_locate_lists_the_profiles_when_there_are_several_or_none(profile, tmp_path, monkeypatch):
    from anki.collection import Collection

    second = profile.parent / "Work"
    second.mkdir()
    Collection(str(second / "collection.anki2")).close()
    (profile.parent / "addons21").mkdir()  # not a profile
    monkeypatch.setenv("FLASHCARDS_ANKI_BASE", str(profile.parent))
    with pytest.raises(FlashcardsError, match=r"several Anki profiles in .*Anki2: User 1, Work; pass one"):
        locate_collection(None)
    with pytest.raises(FlashcardsError, match=r"Anki data folder with profiles User 1, Work"):
        locate_collection(profile.parent)
    monkeypatch.setenv("FLASHCARDS_ANKI_BASE", str(tmp_path / "nothing"))
    with pytest.raises(FlashcardsError, match="no Anki profile found in"):
        locate_collection(None)


def test_without_the_anki_package_one_line_names_the_extra(profile, monkeypatch):
    monkeypatch.setitem(sys.modules, "anki", None)
    monkeypatch.setitem(sys.modules, "anki.collection", None)
    with pytest.raises(FlashcardsError, match=r"pip install 'flashcards\[anki\]'"):
        locate_collection(profile)


def test_a_missing_path_is_refused_and_no_collection_is_created(tmp_path):
    missing = tmp_path / "nowhere" / "collection.anki2"
    with pytest.raises(FlashcardsError, match="no such file or folder"), open_collection(missing):
        pass
    assert not (tmp_path / "nowhere").exists()


def test_an_empty_or_foreign_file_is_refused_and_left_alone(tmp_path):
    empty = tmp_path / "collection.anki2"
    empty.write_bytes(b"")
    with pytest.raises(FlashcardsError, match="not an Anki collection"), open_collection(empty):
        pass
    assert empty.read_bytes() == b""
    assert sorted(path.name for path in tmp_path.iterdir()) == ["collection.anki2"]


def test_a_collection_anki_holds_open_is_refused_and_left_byte_identical(profile):
    with open_collection(profile) as col:
        write_changes(col, notes=note_writes())
    path = profile / "collection.anki2"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        before = {file.name: file.read_bytes() for file in profile.iterdir() if file.is_file()}
        with pytest.raises(FlashcardsError) as refused, open_collection(profile) as col:
            write_changes(col, notes=note_writes())
        assert str(refused.value) == f"{path}: Anki already has this collection open; close Anki first"
        after = {file.name: file.read_bytes() for file in profile.iterdir() if file.is_file()}
        assert after == before
    finally:
        holder.communicate("\n", timeout=30)
    assert holder.returncode == 0


# --- notes ------------------------------------------------------------------------------------------


def test_notes_land_with_our_note_type_guids_and_deck_names(col):
    result = write_changes(col, notes=note_writes())
    assert result.notes_added == GUIDS and not result.notes_updated
    have = read_our_cards(col, GUIDS)
    assert have[GUIDS[0]].deck == "Reading::Plato" and have[GUIDS[2]].deck == "Reading::Oracle"
    assert have[GUIDS[1]].fields == ("&lt;b&gt;bold&lt;/b&gt; &amp; &#91;sound:x.mp3]", "line one<br>line two", "")
    assert set(have[GUIDS[0]].tags) == {"philosophy", "greek"}
    notetype = col.models.get(MODEL_ID)
    assert tuple(field["name"] for field in notetype["flds"]) == FIELDS and notetype["usn"] == -1
    assert all(usn == -1 for usn in col.db.list("select usn from notes union select usn from cards"))
    assert Path(result.backup).parent == Path(col.path).parent / "backups" and Path(result.backup).stat().st_size


def test_the_backup_taken_before_a_write_is_restored_by_anki_to_the_collection_as_it_was(col, tmp_path):
    """The backup is written here (streamed), not by Anki: Anki's own importer of collection packages (File >
    Switch Profile > Open Backup) brings back the collection exactly as it was before the write."""
    from anki._backend import RustBackend
    from anki.collection import Collection

    write_changes(col, notes=note_writes())
    answer_in_anki(col, GUIDS[0], 3, T0, 2000)
    before = snapshot(col)
    days = AnkiDays(col)
    result = write_changes(col, reviews=[ReviewWrite(GUIDS[1], T0 + timedelta(minutes=1), 3, 2, 0, 2500)],
                           schedules=[ScheduleWrite(GUIDS[2], "review", days.start(days.today + 4), 4, 1, 0, 3.0,
                                                    5.0, 0.9, T0)])
    assert result.changed and re.fullmatch(r"backup-\d{4}-\d\d-\d\d-\d\d\.\d\d\.\d\d\.colpkg",
                                           Path(result.backup).name)
    assert snapshot(col) != before
    restored = tmp_path / "restored" / "collection.anki2"
    restored.parent.mkdir()
    RustBackend().import_collection_package(col_path=str(restored), backup_path=result.backup,
                                            media_folder=str(tmp_path / "restored" / "media"),
                                            media_db=str(tmp_path / "restored" / "media.db"))
    back = Collection(str(restored))
    try:
        after = snapshot(back)
        # a restore stamps the collection modified and its schema changed (the next AnkiWeb sync is one way), as
        # for any backup of Anki's; everything else is as it was
        assert [row[:2] + row[4:] for row in after.pop("col")] == [row[:2] + row[4:] for row in before.pop("col")]
        assert after == before
    finally:
        back.close()


def test_an_exported_package_brings_the_same_notes_as_the_sync(col, tmp_path):
    write_changes(col, notes=note_writes())
    export_decks(DECKS, tmp_path / "reading.apkg", parent="Reading")
    log = import_apkg(col, tmp_path / "reading.apkg")
    assert not log.new and col.note_count() == len(CARDS)


def test_a_second_write_with_nothing_new_modifies_nothing(col):
    notes = note_writes()
    write_changes(col, notes=notes)
    answer_in_anki(col, GUIDS[0], 2, T0, 3000)
    due = AnkiDays(col).start(AnkiDays(col).today + 3)
    schedule = ScheduleWrite(GUIDS[0], "review", due, 3, 2, 0, 4.5, 5.2, 0.9, T0, decay=0.1542)
    review = ReviewWrite(GUIDS[1], T0 + timedelta(minutes=1), 3, 2, 0, 2500)
    write_changes(col, notes=notes, reviews=[review], schedules=[schedule])
    before = snapshot(col)
    backups = sorted((Path(col.path).parent / "backups").iterdir())
    result = write_changes(col, notes=notes, reviews=[review], schedules=[schedule])
    assert not result.changed and result.reviews_present == 1 and result.backup is None
    assert snapshot(col) == before
    assert sorted((Path(col.path).parent / "backups").iterdir()) == backups


def test_an_edited_passage_and_a_moved_deck_update_only_that_note(col):
    write_changes(col, notes=note_writes())
    before = read_our_cards(col, GUIDS)
    notes = note_writes()
    notes[0] = replace(notes[0], fields=("Edited.", *notes[0].fields[1:]))
    notes[2] = replace(notes[2], deck="Reading::Delphi")
    marked = col.get_note(before[GUIDS[0]].note_id)
    marked.tags.append("marked")  # Anki's own tags stay on the note
    col.update_note(marked)
    result = write_changes(col, notes=notes)
    assert result.notes_updated == [GUIDS[0], GUIDS[2]] and not result.notes_added
    after = read_our_cards(col, GUIDS)
    assert after[GUIDS[0]].fields[0] == "Edited." and after[GUIDS[2]].deck == "Reading::Delphi"
    assert set(after[GUIDS[0]].tags) == {"philosophy", "greek", "marked"}
    assert after[GUIDS[1]] == before[GUIDS[1]]
    assert not write_changes(col, notes=notes).changed


def test_a_dry_run_reports_what_would_change_and_writes_nothing(col):
    before = snapshot(col)
    result = write_changes(col, notes=note_writes(), dry_run=True)
    assert result.dry_run and result.notes_added == GUIDS and result.backup is None
    assert snapshot(col) == before
    assert col.models.get(MODEL_ID) is None


# --- answers ----------------------------------------------------------------------------------------


def test_answers_given_through_ankis_scheduler_read_back_with_rating_and_time(col):
    from anki.scheduler.v3 import CardAnswer

    col.set_config("fsrs", True)  # what the FSRS switch in the deck options sets
    write_changes(col, notes=note_writes())
    answer_in_anki(col, GUIDS[0], CardAnswer.GOOD, T0, 4321)
    answer_in_anki(col, GUIDS[0], CardAnswer.AGAIN, T0 + timedelta(minutes=2), 900)
    answer_in_anki(col, GUIDS[1], CardAnswer.EASY, T0 + timedelta(minutes=3), 1500)
    have = read_our_cards(col, GUIDS)
    reviews = read_reviews(col, [card.card_id for card in have.values()])
    got = [(r.card_id, r.ease, r.taken_ms, r.answered_at, r.kind, r.manual) for r in reviews]
    first, second = have[GUIDS[0]].card_id, have[GUIDS[1]].card_id
    assert got == [
        (first, 3, 4321, T0, "learn", False),
        (first, 1, 900, T0 + timedelta(minutes=2), "learn", False),
        (second, 4, 1500, T0 + timedelta(minutes=3), "learn", False),
    ]
    anki_card = col.get_card(second)
    assert have[GUIDS[1]].state == "review" and have[GUIDS[1]].interval_days == anki_card.ivl
    assert have[GUIDS[1]].stability == pytest.approx(anki_card.memory_state.stability)
    assert have[GUIDS[1]].last_review == T0 + timedelta(minutes=3)


def test_the_review_log_rows_we_write_carry_the_interval_and_factor_anki_logs_for_the_same_answer(col):
    """Anki answers two cards with FSRS on; the interval and factor it logs are what our export and sync write
    for an answer that leaves the card where Anki left it (anki/scheduling_out)."""
    from anki.scheduler.v3 import CardAnswer

    from flashcards.anki.scheduling_out import revlog_factor, revlog_interval
    from flashcards.model import State

    now = datetime.now(UTC).replace(microsecond=0)
    col.set_config("fsrs", True)
    col.set_config("rollover", (datetime.now().hour + 12) % 24)  # no day boundary within the learning step
    write_changes(col, notes=note_writes())
    answer_in_anki(col, GUIDS[0], CardAnswer.GOOD, now, 1000)  # new -> learning, Anki's 10-minute step
    answer_in_anki(col, GUIDS[1], CardAnswer.EASY, now, 1000)  # new -> review, days away
    have = read_our_cards(col, GUIDS[:2])
    learning, review = (col.get_card(have[guid].card_id) for guid in GUIDS[:2])
    logged = {cid: (rid, ivl, factor) for rid, cid, ivl, factor in col.db.all("select id, cid, ivl, factor from revlog")}
    rid, ivl, factor = logged[learning.id]
    assert ivl == revlog_interval(rid, rid + 600_000, State.LEARNING) == -600  # the step (its due is fuzzed)
    assert factor == revlog_factor(learning.memory_state.difficulty) != round(learning.memory_state.difficulty * 100)
    rid, ivl, factor = logged[review.id]
    assert ivl == revlog_interval(rid, rid + review.ivl * 86_400_000, State.REVIEW) == review.ivl > 1
    assert factor == revlog_factor(review.memory_state.difficulty)


def test_written_answers_join_the_log_exactly_once(col):
    write_changes(col, notes=note_writes())
    answers = [
        ReviewWrite(GUIDS[0], T0, 3, -600, 0, 2100, kind="learn"),
        ReviewWrite(GUIDS[0], T0 + timedelta(days=1), 3, 4, -600, 3400),
    ]
    assert write_changes(col, reviews=answers).reviews_added == 2
    result = write_changes(col, reviews=[*answers, ReviewWrite(GUIDS[1], T0, 1, -60, 0, 800, kind="learn")])
    assert (result.reviews_added, result.reviews_present) == (0, 3)  # same ms as the first: Anki keeps one
    card_id = read_our_cards(col, GUIDS)[GUIDS[0]].card_id
    got = [(r.id, r.ease, r.interval, r.last_interval, r.taken_ms, r.kind) for r in read_reviews(col, [card_id])]
    ms = round(T0.timestamp() * 1000)
    assert got == [(ms, 3, -600, 0, 2100, "learn"), (ms + 86_400_000, 3, 4, -600, 3400, "review")]
    assert col.db.list("select distinct usn from revlog") == [-1]


# --- scheduling -------------------------------------------------------------------------------------


def test_scheduling_round_trips_field_by_field(col):
    write_changes(col, notes=note_writes())
    days = AnkiDays(col)
    soon = datetime.fromtimestamp(days.cutoff - 3600, UTC)  # intraday learning: before the day ends
    schedules = [
        ScheduleWrite(GUIDS[0], "review", days.start(days.today + 12), 12, 5, 1, 23.25, 6.5, 0.87, T0, decay=0.2),
        ScheduleWrite(GUIDS[1], "relearning", soon, 1, 7, 2, 2.5, 8.75, 0.9, T0, suspended=True),
        ScheduleWrite(GUIDS[2], "learning", days.start(days.today + 1), 0, 1, 0, 0.4, 7.0, None, T0, buried=True),
    ]
    result = write_changes(col, schedules=schedules)
    assert result.schedules_changed == GUIDS
    have = read_our_cards(col, GUIDS)
    for want in schedules:
        got = have[want.guid]
        assert (got.state, got.due, got.interval_days, got.reps, got.lapses) == (
            want.state, want.due.replace(microsecond=0), want.interval_days, want.reps, want.lapses)
        assert (got.suspended, got.buried, got.last_review) == (want.suspended, want.buried, want.last_review)
        assert got.stability == pytest.approx(want.stability) and got.difficulty == pytest.approx(want.difficulty)
        assert got.desired_retention == pytest.approx(want.desired_retention)
        assert got.decay == pytest.approx(want.decay)
    queues = dict(col.db.all("select id, queue from cards"))
    assert queues[have[GUIDS[1]].card_id] == -1 and queues[have[GUIDS[2]].card_id] == -3
    assert col.db.list("select distinct usn from cards") == [-1]
    back_to_new = write_changes(col, schedules=[ScheduleWrite(GUIDS[0], "new", None, 0, 0, 0)])
    assert back_to_new.schedules_changed == [GUIDS[0]]
    card = read_our_cards(col, GUIDS)[GUIDS[0]]
    assert (card.state, card.due, card.position, card.stability) == ("new", None, card.position, None)
    assert card.position is not None


def test_ankis_scheduler_shows_a_card_on_the_day_we_set(col):
    write_changes(col, notes=note_writes())
    days = AnkiDays(col)
    today, tomorrow = days.start(days.today), days.start(days.today + 1)
    write_changes(col, schedules=[
        ScheduleWrite(GUIDS[0], "review", today + timedelta(hours=5), 4, 3, 0, 4.0, 5.0, 0.9, T0),
        ScheduleWrite(GUIDS[1], "review", tomorrow, 5, 3, 0, 5.0, 5.0, 0.9, T0),
        ScheduleWrite(GUIDS[2], "review", today - timedelta(days=2), 6, 3, 0, 6.0, 5.0, 0.9, T0),
    ])
    have = read_our_cards(col, GUIDS)
    assert have[GUIDS[0]].due == today  # any moment of a study day is that day
    due = set(col.find_cards("is:due"))
    assert due == {have[GUIDS[0]].card_id, have[GUIDS[2]].card_id}
    col.decks.select(col.decks.id("Reading"))
    assert col.sched.counts() == (0, 0, 2)
    write_changes(col, schedules=[ScheduleWrite(GUIDS[2], "review", today, 6, 3, 0, 6.0, 5.0, 0.9, T0, suspended=True)])
    assert set(col.find_cards("is:due")) == {have[GUIDS[0]].card_id}
    assert col.sched.counts() == (0, 0, 1)


def test_a_bad_value_in_the_middle_of_a_batch_writes_nothing(col):
    write_changes(col, notes=note_writes()[:1])
    before = snapshot(col)
    days = AnkiDays(col)
    schedules = [
        ScheduleWrite(GUIDS[0], "review", days.start(days.today + 2), 2, 1, 0, 2.0, 5.0, 0.9, T0),
        ScheduleWrite(GUIDS[1], "review", days.start(days.today + 2), 2, 1, 0, 2.0, 11.0, 0.9, T0),
        ScheduleWrite(GUIDS[2], "review", days.start(days.today + 2), 2, 1, 0, 2.0, 5.0, 0.9, T0),
    ]
    with pytest.raises(FlashcardsError, match=r"difficulty 11.0 \(Anki's range is 1-10\)"):
        write_changes(col, notes=note_writes(), reviews=[ReviewWrite(GUIDS[0], T0, 3, 2, 0, 900)],
                      schedules=schedules)
    assert snapshot(col) == before
    assert col.models.get(MODEL_ID) is not None  # the note type from the first write is still there


@pytest.mark.parametrize("adds_notes", [True, False])
def test_a_failure_halfway_through_the_real_write_leaves_the_collection_as_it_was(col, monkeypatch, adds_notes):
    """A write that adds notes changes the collection for certain and goes once, without its trial; one that does
    not is tried first (rolled back), then written. Either way a failure halfway leaves the collection as it was."""
    write_changes(col, notes=note_writes()[:1] if adds_notes else note_writes())
    before = snapshot(col)
    days = AnkiDays(col)
    schedules = [ScheduleWrite(g, "review", days.start(days.today + 2), 2, 1, 0, 2.0, 5.0, 0.9, T0) for g in GUIDS]
    calls = []
    real = live_write._write_schedule
    fail_at = 2 if adds_notes else len(GUIDS) + 2  # the real write's second card, after the trial's when there is one

    def failing_halfway(*args):
        calls.append(1)
        if len(calls) == fail_at:
            raise OSError("disk full")
        return real(*args)

    monkeypatch.setattr(live_write, "_write_schedule", failing_halfway)
    with pytest.raises(OSError, match="disk full"):
        write_changes(col, notes=note_writes(), reviews=[ReviewWrite(GUIDS[0], T0, 3, 2, 0, 900)],
                      schedules=schedules)
    assert len(calls) == fail_at
    assert snapshot(col) == before
    assert list((Path(col.path).parent / "backups").glob("*.colpkg"))  # the backup came first


def test_a_note_type_whose_fields_were_renamed_in_anki_is_refused_with_one_line(col):
    write_changes(col, notes=note_writes()[:1])
    notetype = col.models.get(MODEL_ID)
    col.models.rename_field(notetype, notetype["flds"][1], "Notes")
    col.models.update_dict(notetype)
    before = snapshot(col)
    with pytest.raises(FlashcardsError, match="has fields Passage, Notes, Source; flashcards needs Passage, Commentary"):
        write_changes(col, notes=note_writes())
    assert snapshot(col) == before
