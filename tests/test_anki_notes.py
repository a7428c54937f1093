"""A note made in Anki stays that note: brought home by `import-anki --deck`, it is synced and exported as the
same note (its GUID remembered), never added to Anki a second time, never brought into the deck twice. Against
real Anki collections (the `anki` package) and the real CLI."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from anki_history import anki_export, import_with_scheduling

from conftest import run_cli
from flashcards.decks.deckfile.reader import load_deck

pytestmark = pytest.mark.slow  # end to end (real Anki collections and the CLI): run by CI, left out of the quick loop

pytest.importorskip("anki")

FRONT, BACK = "Made in <b>Anki</b>, by hand", "my own <i>words</i>"


def _note_in_anki(profile: Path) -> tuple[str, int, int]:
    """A Basic note made in Anki (FSRS on) and answered there once; (its GUID, note id, note type id)."""
    from anki.collection import Collection

    profile.mkdir(parents=True)
    col = Collection(str(profile / "collection.anki2"))
    try:
        col.set_config("fsrs", True)
        basic = col.models.by_name("Basic")
        note = col.new_note(basic)
        note["Front"], note["Back"] = FRONT, BACK
        note.tags = ["mine"]
        col.add_note(note, col.decks.id("Reading"))
        _answer(col, note.id, 1, datetime.now(UTC) - timedelta(hours=2))
        return note.guid, note.id, basic["id"]
    finally:
        col.close()


def _answer(col, note_id: int, rating: int, at: datetime) -> None:
    """Answer the note's card as Anki desktop does (its queue, its states), at `at`."""
    from anki.cards import Card as AnkiCardObject

    card_id = col.get_note(note_id).card_ids()[0]
    col.decks.select(col.get_card(card_id).did)
    queued = next(q for q in col.sched.get_queued_cards(fetch_limit=50).cards if q.card.id == card_id)
    card = AnkiCardObject(col, backend_card=queued.card)
    card.start_timer()
    answer = col.sched.build_answer(card=card, states=queued.states, rating=rating)
    answer.answered_at_millis = round(at.timestamp() * 1000)
    answer.milliseconds_taken = 3000
    col.sched.answer_card(answer)


def _export_from_anki(profile: Path, out: Path) -> Path:
    from anki.collection import Collection

    col = Collection(str(profile / "collection.anki2"))
    try:
        return anki_export(col, out, legacy=False)
    finally:
        col.close()


def _cli(*args: str, db: Path) -> str:
    result = run_cli(*args, "--db", str(db))
    assert result.code == 0, result.stderr
    return result.stdout


def test_a_note_made_in_anki_syncs_as_the_same_note_with_its_answers_both_ways(tmp_path):
    from anki.collection import Collection

    from flashcards.decks.open_decks import load_through_store
    from flashcards.review.session import Session
    from flashcards.scheduling.scheduler import FSRSScheduler
    from flashcards.settings import Settings
    from flashcards.store import Store

    profile, db = tmp_path / "Anki2" / "User 1", tmp_path / "store.db"
    guid, note_id, basic = _note_in_anki(profile)
    package = _export_from_anki(profile, tmp_path / "from-anki.apkg")
    deck = tmp_path / "decks" / "from-anki.yaml"
    deck.parent.mkdir()
    _cli("import-anki", str(package), "--deck", str(deck), db=db)
    [card] = load_deck(deck).cards
    assert card.front == "Made in Anki, by hand"

    first = json.loads(_cli("sync", str(deck.parent), "--anki", str(profile), "--json", db=db))
    assert first["notes_added"] == 0
    col = Collection(str(profile / "collection.anki2"))
    try:  # still the one note the person made, of their note type, their HTML untouched
        assert col.db.all("select id, guid, mid, flds from notes") == [[note_id, guid, basic, f"{FRONT}\x1f{BACK}"]]
    finally:
        col.close()

    # an answer here, then one in Anki: each crosses to the other side once
    now = datetime.now(UTC)
    with Store(db) as store:
        decks = load_through_store(store, [deck])
        session = Session(store, decks, FSRSScheduler.from_settings(Settings()), Settings(), clock=lambda: now,
                          ahead=True)
        shown = session.next_card()
        assert shown is not None and shown.card.id == card.id
        session.answer(shown, 3, 4000)
    col = Collection(str(profile / "collection.anki2"))
    try:
        assert col.db.scalar("select count() from revlog") == 1
    finally:
        col.close()
    second = json.loads(_cli("sync", str(deck.parent), "--anki", str(profile), "--json", db=db))
    assert (second["notes_added"], second["answers_to_anki"], second["answers_to_store"]) == (0, 1, 0)
    col = Collection(str(profile / "collection.anki2"))
    try:
        _answer(col, note_id, 3, now + timedelta(minutes=30))
    finally:
        col.close()
    third = json.loads(_cli("sync", str(deck.parent), "--anki", str(profile), "--json", db=db))
    assert (third["notes_added"], third["answers_to_anki"], third["answers_to_store"]) == (0, 0, 1)
    col = Collection(str(profile / "collection.anki2"))
    try:
        assert col.db.scalar("select count() from notes") == 1
        anki_card = col.get_card(col.get_note(note_id).card_ids()[0])
        anki_answers = sorted(col.db.list("select id from revlog where cid = ?", anki_card.id))
        with Store(db) as store:
            ours = sorted(round(a.reviewed_at.timestamp() * 1000) for a in store.answers() if a.card_id == card.id)
            row = store.card(card.id)
        assert len(ours) == len(anki_answers) == 3
        assert all(0 <= theirs - mine < 1000 for theirs, mine in zip(anki_answers, ours, strict=True))
        assert (anki_card.reps, anki_card.lapses) == (row.schedule.reps, row.schedule.lapses) == (3, 0)
        assert anki_card.type == int(row.schedule.state)
        assert col.db.scalar("select flds from notes") == f"{FRONT}\x1f{BACK}"
    finally:
        col.close()
    assert "Nothing to do" in _cli("sync", str(deck.parent), "--anki", str(profile), db=db)
    assert _cli("check", db=db).strip().splitlines()[0].endswith("answers)")


def test_an_export_carries_the_notes_guid_so_anki_matches_the_note_it_has(tmp_path):
    from anki.collection import Collection

    profile, db = tmp_path / "Anki2" / "User 1", tmp_path / "store.db"
    guid, note_id, basic = _note_in_anki(profile)
    package = _export_from_anki(profile, tmp_path / "from-anki.apkg")
    deck = tmp_path / "from-anki.yaml"
    _cli("import-anki", str(package), "--deck", str(deck), db=db)
    ours = tmp_path / "ours.apkg"
    _cli("export", str(deck), "-o", str(ours), db=db)
    col = Collection(str(profile / "collection.anki2"))
    try:  # the person's own collection: their note is matched by its GUID, not added again
        import_with_scheduling(col, ours)
        assert col.db.all("select id, guid, mid, flds from notes") == [[note_id, guid, basic, f"{FRONT}\x1f{BACK}"]]
    finally:
        col.close()
    (tmp_path / "fresh").mkdir()
    fresh = Collection(str(tmp_path / "fresh" / "collection.anki2"))
    try:  # a collection without it: the note arrives with that GUID, answered as it was
        import_with_scheduling(fresh, ours)
        assert fresh.db.list("select guid from notes") == [guid]
        assert fresh.db.scalar("select count() from revlog") == 1
    finally:
        fresh.close()
    # and our own export read back is recognised as that card: nothing added to the deck
    text = deck.read_text(encoding="utf-8")
    report = json.loads(_cli("import-anki", str(ours), "--deck", str(deck), "--json", db=db))
    assert (report["added_to_deck"], report["answers_added"]) == (0, 0)
    assert deck.read_text(encoding="utf-8") == text


def test_a_second_import_adds_no_card_after_the_text_changed_in_the_deck_or_in_anki(tmp_path):
    from anki.collection import Collection

    profile, db = tmp_path / "Anki2" / "User 1", tmp_path / "store.db"
    _, note_id, _ = _note_in_anki(profile)
    package = _export_from_anki(profile, tmp_path / "from-anki.apkg")
    deck = tmp_path / "from-anki.yaml"
    _cli("import-anki", str(package), "--deck", str(deck), db=db)
    [card] = load_deck(deck).cards
    # a typo fixed by hand in the deck (the id kept, as the deck format asks), then the same package again
    deck.write_text(deck.read_text(encoding="utf-8").replace("by hand", "by my hand"), encoding="utf-8")
    edited = deck.read_text(encoding="utf-8")
    again = json.loads(_cli("import-anki", str(package), "--deck", str(deck), "--json", db=db))
    assert (again["added_to_deck"], again["already_in_deck"], again["answers_added"]) == (0, 1, 0)
    assert deck.read_text(encoding="utf-8") == edited
    # the note edited in Anki and answered there: still that card, its new answer joins its history
    col = Collection(str(profile / "collection.anki2"))
    try:
        note = col.get_note(note_id)
        note["Front"] = "Made in Anki, rewritten there"
        col.update_note(note)
        _answer(col, note_id, 3, datetime.now(UTC) - timedelta(hours=1))
        newer = anki_export(col, tmp_path / "newer.apkg", legacy=True)
    finally:
        col.close()
    third = json.loads(_cli("import-anki", str(newer), "--deck", str(deck), "--json", db=db))
    assert (third["added_to_deck"], third["answers_added"]) == (0, 1)
    assert [c.id for c in load_deck(deck).cards] == [card.id]
    assert deck.read_text(encoding="utf-8") == edited


def test_a_note_deleted_in_anki_comes_back_once_under_its_own_guid(tmp_path):
    """Sync keeps Anki holding every card of the decks: a brought note the collection lacks is added as export
    writes it (our note type) under the GUID it had, so the next import or export still knows it, and once only."""
    from anki.collection import Collection

    from flashcards.anki.note_type import MODEL_ID

    profile, db = tmp_path / "Anki2" / "User 1", tmp_path / "store.db"
    guid, note_id, _ = _note_in_anki(profile)
    package = _export_from_anki(profile, tmp_path / "from-anki.apkg")
    deck = tmp_path / "decks" / "from-anki.yaml"
    deck.parent.mkdir()
    _cli("import-anki", str(package), "--deck", str(deck), db=db)
    col = Collection(str(profile / "collection.anki2"))
    try:
        col.remove_notes([note_id])
    finally:
        col.close()
    report = json.loads(_cli("sync", str(deck.parent), "--anki", str(profile), "--json", db=db))
    assert report["notes_added"] == 1
    col = Collection(str(profile / "collection.anki2"))
    try:
        assert col.db.all("select guid, mid from notes") == [[guid, MODEL_ID]]
    finally:
        col.close()
    assert "Nothing to do" in _cli("sync", str(deck.parent), "--anki", str(profile), db=db)
