"""The .apkg export, checked by importing it into a real Anki collection (the `anki` package)."""

from __future__ import annotations

import re
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import SEEDS, import_apkg, run_cli
from flashcards.anki.note_type import FIELDS, MODEL_ID, MODEL_NAME
from flashcards.anki.package_out import export_decks, field_html
from flashcards.decks.deckfile.reader import load_deck
from flashcards.decks.deckfile.writer import save_deck
from flashcards.decks.merge import convert
from flashcards.model import Card, Deck, content_fingerprint

pytestmark = pytest.mark.slow  # end to end (packages imported into real Anki): run by CI, left out of the quick loop

HOSTILE = [
    Card("code", "degree.cent <- centr_degree(g)", "R: x <- 1 & y > 2", "notes.txt:1", ["r code"]),
    Card("xss", "<script>alert(1)</script>", "line one\nline two", "", []),
    Card("sound", "[sound:x.mp3] is how Anki plays audio", "{{Passage}} stays literal too", "", []),
]


def _notes(col):
    return [col.get_note(nid) for nid in col.find_notes("")]


def test_seeds_import_into_real_anki_with_every_field(tmp_path, anki_collection):
    convert([SEEDS], tmp_path / "seeds.yaml", name="Seeds")
    deck = load_deck(tmp_path / "seeds.yaml")
    export_decks([deck], tmp_path / "seeds.apkg")
    log = import_apkg(anki_collection, tmp_path / "seeds.apkg")
    assert len(log.new) == 25
    notes = _notes(anki_collection)
    assert len(notes) == 25
    by_front = {note["Passage"]: note for note in notes}
    for card in deck.cards:
        note = by_front[field_html(card.front)]
        assert note["Commentary"] == field_html(card.back)
        assert note["Source"] == card.source
    assert any("degree.cent &lt;- centr_degree(g" in note["Commentary"] for note in notes)
    assert "Seeds" in anki_collection.decks.all_names()
    model = anki_collection.models.by_name(MODEL_NAME)
    assert [field["name"] for field in model["flds"]] == list(FIELDS)
    assert model["id"] == MODEL_ID


def test_html_and_code_show_literally_in_rendered_cards(tmp_path, anki_collection):
    export_decks([Deck("Code", HOSTILE)], tmp_path / "code.apkg")
    import_apkg(anki_collection, tmp_path / "code.apkg")
    rendered = {}
    for note in _notes(anki_collection):
        card = note.cards()[0]
        rendered[note["Passage"]] = (card.question(), card.answer(), note.tags)
    question, answer, tags = rendered["degree.cent &lt;- centr_degree(g)"]
    assert "degree.cent &lt;- centr_degree(g)" in question
    assert "R: x &lt;- 1 &amp; y &gt; 2" in answer
    assert tags == ["r_code"]
    question, answer, _ = rendered["&lt;script&gt;alert(1)&lt;/script&gt;"]
    assert "<script>alert" not in question and "&lt;script&gt;alert(1)&lt;/script&gt;" in question
    assert "line one<br>line two" in answer
    question, answer, _ = rendered["&#91;sound:x.mp3] is how Anki plays audio"]
    assert "&#91;sound:x.mp3] is how Anki plays audio" in question and "[anki:play" not in question
    assert "{{Passage}} stays literal too" in answer


def test_editing_a_commentary_and_reimporting_updates_one_note_and_adds_none(tmp_path, anki_collection):
    deck_path = tmp_path / "seeds.yaml"
    convert([SEEDS], deck_path)
    export_decks([load_deck(deck_path)], tmp_path / "v1.apkg", timestamp=1_700_000_000)
    assert len(import_apkg(anki_collection, tmp_path / "v1.apkg").new) == 25

    deck = load_deck(deck_path)
    before = {card.id: content_fingerprint(card) for card in deck.cards}
    deck.cards[3].back = "A new thought, edited by hand <b>with</b> brackets"
    save_deck(deck, deck_path)
    deck = load_deck(deck_path)
    # unchanged notes keep the time of the first export, so Anki sees only the edited one as newer
    times = {c.id: 1_700_000_000 for c in deck.cards if before[c.id] == content_fingerprint(c)}
    assert len(times) == 24
    export_decks([deck], tmp_path / "v2.apkg", timestamp=1_700_000_100, note_times=times)
    log = import_apkg(anki_collection, tmp_path / "v2.apkg")
    assert (len(log.new), len(log.updated)) == (0, 1)
    assert len(anki_collection.find_notes("")) == 25
    edited = [n for n in _notes(anki_collection) if n["Commentary"].startswith("A new thought")]
    assert edited[0]["Commentary"] == "A new thought, edited by hand &lt;b&gt;with&lt;/b&gt; brackets"


def test_several_decks_become_subdecks_of_a_parent(tmp_path, anki_collection):
    first = Deck("Books", [Card("a", "Passage A", "note", "", ["kindle"])], tags=["reading list"])
    second = Deck("Papers", [Card("b", "Passage B", "note", "", [])])
    export_decks([first, second], tmp_path / "all.apkg", parent="Library")
    import_apkg(anki_collection, tmp_path / "all.apkg")
    names = set(anki_collection.decks.all_names())
    assert {"Library::Books", "Library::Papers"} <= names
    note_a = next(n for n in _notes(anki_collection) if n["Passage"] == "Passage A")
    assert sorted(note_a.tags) == ["kindle", "reading_list"]
    deck_of_a = anki_collection.decks.name(note_a.cards()[0].did)
    assert deck_of_a == "Library::Books"


def test_export_is_repeatable_for_the_same_timestamp(tmp_path):
    deck = Deck("D", HOSTILE)
    export_decks([deck], tmp_path / "a.apkg", timestamp=1_700_000_000)
    export_decks([deck], tmp_path / "b.apkg", timestamp=1_700_000_000)
    assert (tmp_path / "a.apkg").stat().st_size == (tmp_path / "b.apkg").stat().st_size


def test_css_supports_night_mode_and_cjk_fonts():
    from flashcards.anki.note_type import CSS

    assert re.search(r"\.nightMode", CSS)
    assert "Noto Serif CJK SC" in CSS and "PingFang SC" in CSS


def test_the_export_command_remembers_note_times_so_a_reimport_updates_only_the_edited_note(tmp_path, anki_collection):
    deck_path = tmp_path / "seeds.yaml"
    db = str(tmp_path / "fc.db")
    convert([SEEDS], deck_path)
    assert run_cli("export", str(deck_path), "-o", str(tmp_path / "v1.apkg"), "--db", db).code == 0
    assert len(import_apkg(anki_collection, tmp_path / "v1.apkg").new) == 25
    deck = load_deck(deck_path)
    deck.cards[5].back = "edited after the first export"
    save_deck(deck, deck_path)
    assert run_cli("export", str(deck_path), "-o", str(tmp_path / "v2.apkg"), "--db", db).code == 0
    log = import_apkg(anki_collection, tmp_path / "v2.apkg")
    assert (len(log.new), len(log.updated)) == (0, 1)
    assert any(n["Commentary"] == "edited after the first export" for n in _notes(anki_collection))
    assert run_cli("export", str(deck_path), "-o", str(tmp_path / "v3.apkg"), "--db", db).code == 0
    log = import_apkg(anki_collection, tmp_path / "v3.apkg")  # nothing edited since: nothing to update
    assert (len(log.new), len(log.updated)) == (0, 0)
    assert run_cli("export", str(deck_path), "-o", str(tmp_path / "v4.apkg"), "--db", db, "--parent", "Reading").code == 0
    log = import_apkg(anki_collection, tmp_path / "v4.apkg")  # every note moves to Reading::seeds
    assert (len(log.new), len(log.updated)) == (0, 25)


# ---------------------------------------------------------------- scheduling goes along

def _export_reviewed(tmp_path, package_format: str):
    from datetime import UTC, datetime

    from anki_history import reviewed_store

    from flashcards.export.history import export_history
    from flashcards.settings import Settings

    store, deck, _ = reviewed_store(tmp_path)
    history = export_history(store, Settings(), datetime.now(UTC))
    out = tmp_path / f"{package_format}.apkg"
    export_decks([deck], out, history=history, package_format=package_format)
    return store, deck, out


def _check_anki_has_the_store_history(col, store, deck):
    from datetime import UTC, datetime

    from anki_history import revlog

    from flashcards.clock import day_number, to_ms
    from flashcards.model import State

    by_passage = {col.get_note(nid)["Passage"]: col.get_note(nid).cards()[0] for nid in col.find_notes("")}
    rows = {row.card_id: row for row in store.cards()}
    today = day_number(datetime.now(UTC))
    for card in deck.cards:
        anki_card, row = by_passage[field_html(card.front)], rows[card.id]
        schedule = row.schedule
        assert (anki_card.reps, anki_card.lapses) == (schedule.reps, schedule.lapses)
        if schedule.state == State.NEW:
            assert (anki_card.type, anki_card.queue, anki_card.memory_state) == (0, 0, None)
            continue
        assert anki_card.type == {State.LEARNING: 1, State.REVIEW: 2, State.RELEARNING: 3}[schedule.state]
        assert anki_card.memory_state.stability == pytest.approx(schedule.stability, abs=1e-3)
        assert anki_card.memory_state.difficulty == pytest.approx(schedule.difficulty, abs=1e-3)
        assert anki_card.desired_retention == pytest.approx(0.9)
        assert anki_card.decay == pytest.approx(0.1542, abs=1e-3)  # FSRS-6's default decay
        assert anki_card.last_review_time == int(schedule.last_review.timestamp())
        if row.suspended:
            assert anki_card.queue == -1
        elif row.buried_until is not None:
            assert anki_card.queue == -3
        elif schedule.state in (State.LEARNING, State.RELEARNING):
            assert (anki_card.queue, anki_card.due) == (1, int(schedule.due.timestamp()))
            steps = 2 if schedule.state == State.LEARNING else 1
            assert anki_card.left % 1000 == steps - schedule.step
        if schedule.state == State.REVIEW:
            assert anki_card.ivl == day_number(schedule.due) - day_number(schedule.last_review)
            assert anki_card.due - col.sched.today == day_number(schedule.due) - today
    logged = revlog(col)
    ours = list(store.answers())
    assert sorted(row[0] for row in logged) == sorted(to_ms(a.reviewed_at) for a in ours)
    by_time = {to_ms(a.reviewed_at): a for a in ours}
    for rid, _cid, ease, ivl, _last, _factor, taken, kind in logged:
        answer = by_time[rid]
        assert (ease, taken) == (answer.rating, answer.duration_ms)
        assert kind == {State.NEW: 0, State.LEARNING: 0, State.REVIEW: 1, State.RELEARNING: 2}[answer.state_before]
        assert (ivl > 0) == (answer.state_after == State.REVIEW)


@pytest.mark.parametrize("package_format", ["legacy", "current"])
def test_reviewed_cards_arrive_in_anki_with_memory_state_interval_and_every_answer(tmp_path, anki_collection, package_format):
    from anki_history import import_with_scheduling

    store, deck, out = _export_reviewed(tmp_path, package_format)
    names = set(zipfile.ZipFile(out).namelist())
    assert ("collection.anki21b" in names) == (package_format == "current")
    assert len(import_with_scheduling(anki_collection, out).new) == len(deck.cards)
    _check_anki_has_the_store_history(anki_collection, store, deck)


def test_a_second_import_with_scheduling_changes_neither_cards_nor_review_log(tmp_path, anki_collection):
    from anki_history import answer_in_anki, cards_state, import_with_scheduling, revlog

    _, _, out = _export_reviewed(tmp_path, "current")
    import_with_scheduling(anki_collection, out)
    answer_in_anki(anki_collection, 2)
    before = (cards_state(anki_collection), revlog(anki_collection))
    import_with_scheduling(anki_collection, out)
    assert (cards_state(anki_collection), revlog(anki_collection)) == before


def test_no_scheduling_exports_notes_only(tmp_path, anki_collection):
    from anki_history import import_with_scheduling, reviewed_store, revlog

    store, _, deck_path = reviewed_store(tmp_path)
    store.close()
    out = tmp_path / "notes.apkg"
    result = run_cli("export", str(deck_path), "-o", str(out), "--db", str(tmp_path / "store.db"), "--no-scheduling")
    assert result.code == 0, result.stderr
    import_with_scheduling(anki_collection, out)
    assert revlog(anki_collection) == []
    assert {anki_collection.get_card(cid).type for cid in anki_collection.find_cards("")} == {0}


def test_the_export_command_carries_scheduling_by_default(tmp_path, anki_collection):
    from anki_history import import_with_scheduling, reviewed_store

    store, deck, deck_path = reviewed_store(tmp_path)
    out = tmp_path / "all.apkg"
    result = run_cli("export", str(deck_path), "-o", str(out), "--db", str(tmp_path / "store.db"), "--format", "current")
    assert result.code == 0, result.stderr
    import_with_scheduling(anki_collection, out)
    _check_anki_has_the_store_history(anki_collection, store, deck)


def test_a_history_written_a_card_at_a_time_gives_the_same_package_and_no_two_answers_share_an_id(
        tmp_path, anki_collection, monkeypatch):
    """The export reads and writes the history SCHEDULING_CHUNK cards at a time (memory does not follow the
    length of the history); cut into pieces of one card, the package is the same. Answers given at one moment
    on three cards, each in its own piece, still get three ids in Anki's log, 1 ms apart, as Anki does."""
    from datetime import UTC, datetime, timedelta

    from anki_history import import_with_scheduling, reviewed_store, revlog

    from flashcards.anki import package_write
    from flashcards.clock import to_ms
    from flashcards.export.history import export_history
    from flashcards.model import Schedule, State
    from flashcards.settings import Settings

    store, deck, _ = reviewed_store(tmp_path)
    first = next(store.answers())
    after = Schedule(State.REVIEW, None, 5.0, 5.0, first.reviewed_at + timedelta(days=3), first.reviewed_at, 1, 0)
    with store.transaction() as db:
        for card in deck.cards[1:3]:
            store.log_answer(db, card.id, first.reviewed_at, 3, 1000, Schedule(), after)
    history = export_history(store, Settings(), datetime.now(UTC))
    whole, pieces = tmp_path / "whole.apkg", tmp_path / "pieces.apkg"
    export_decks([deck], whole, history=history, timestamp=1_700_000_000)
    monkeypatch.setattr(package_write, "SCHEDULING_CHUNK", 1)
    export_decks([deck], pieces, history=history, timestamp=1_700_000_000)
    assert _collection_rows(pieces, tmp_path / "p") == _collection_rows(whole, tmp_path / "w")
    import_with_scheduling(anki_collection, pieces)
    ids = [row[0] for row in revlog(anki_collection)]
    assert len(ids) == len(set(ids)) == store.answer_count()
    moment = to_ms(first.reviewed_at)
    assert {moment, moment + 1, moment + 2} <= set(ids)


def _collection_rows(package, folder) -> dict:
    import sqlite3

    zipfile.ZipFile(package).extract("collection.anki2", folder)
    db = sqlite3.connect(folder / "collection.anki2")
    try:
        return {table: db.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
                for table in ("col", "notes", "cards", "revlog")}
    finally:
        db.close()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(1_000, 1_060), max_size=40), st.sets(st.integers(1_000, 1_100), max_size=60))
def test_review_log_ids_are_distinct_free_and_keep_the_answers_in_time_order(moments, held):
    """Each answer's id is its moment, or the first id past it that neither the log nor an earlier answer holds,
    as Anki moves a taken id up by 1 ms; answers keep their time order."""
    from flashcards.anki.scheduling_out import free_revlog_ids

    ids = free_revlog_ids(moments, lambda some: held & set(some))
    assert len(set(ids)) == len(ids) and not held & set(ids)
    assert all(given_id >= moment for given_id, moment in zip(ids, moments, strict=True))
    by_time = sorted(range(len(moments)), key=lambda i: (moments[i], i))
    assert [ids[i] for i in by_time] == sorted(ids)
    for i in by_time:  # nothing free was skipped: every id between the moment and the one given is taken
        assert all(x in held or x in ids[:i] + ids[i + 1:] for x in range(moments[i], ids[i]))


def test_a_run_of_answers_at_one_moment_is_walked_once_however_long_the_log(tmp_path):
    """Ten answers at one millisecond (an import with whole seconds) after a log that holds that moment and
    the next thousand ids (earlier answers at that moment): they take the ten ids past those, found in a few
    dozen lookups rather than one pass per ten ids."""
    from flashcards.anki.scheduling_out import free_revlog_ids

    held = set(range(5_000, 6_000))
    asked = []

    def present(some):
        asked.append(len(some))
        return held & set(some)

    assert free_revlog_ids([5_000] * 10, present) == list(range(6_000, 6_010))
    assert len(asked) < 25
