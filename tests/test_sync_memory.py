"""The compact forms a big first sync keeps its plan in give back exactly what the plain ones held: the revlog ids
free_revlog_ids picks, the schedules added, a deck's cards read from the store a chunk at a time."""

from __future__ import annotations

import random
from array import array
from datetime import UTC, datetime, timedelta

from flashcards.anki.live_model import ScheduleWrite
from flashcards.anki.scheduling_out import free_revlog_ids
from flashcards.decks.open_decks import StoredCards, load_streamed, load_through_store
from flashcards.model import Card
from flashcards.store import Store
from flashcards.sync import revlog_ids
from flashcards.sync.columns import ScheduleColumns


def test_revlog_ids_walked_a_window_at_a_time_are_free_revlog_ids(monkeypatch):
    monkeypatch.setattr(revlog_ids, "WINDOW", 50)  # many windows, so answers at one moment cross their edges
    for seed in range(150):
        rng = random.Random(seed)
        wanted = array("q", (rng.randint(1000, 1000 + rng.choice([5, 50, 5000])) for _ in range(rng.randint(0, 600))))
        log = {rng.randint(1000, 6000) for _ in range(rng.choice([0, 30, 3000]))}

        def present(some, log=log):
            return {moment for moment in some if moment in log}

        assert list(revlog_ids.free_ids(wanted, present)) == free_revlog_ids(wanted, present), seed


def test_schedules_kept_as_columns_come_back_equal():
    moment = datetime(2026, 3, 29, 1, 30, 0, 123457, tzinfo=UTC)
    writes = [ScheduleWrite("g1", "new", None, 0, 0, 0, suspended=True),
              ScheduleWrite("g2", "review", moment, 12, 7, 1, 31.25, 4.5, 0.9, moment - timedelta(days=12),
                            False, True, 0.1542),
              ScheduleWrite("g3", "relearning", moment, 1, 3, 2, 0.4, 9.9)]
    columns = ScheduleColumns()
    for write in writes:
        columns.append(write)
    assert list(columns) == writes and columns[1] == writes[1] and columns[-1] == writes[-1]
    assert list(columns.guids) == ["g1", "g2", "g3"]


def test_a_streamed_deck_reads_the_stores_cards_in_order(tmp_path, monkeypatch):
    deck = tmp_path / "stoics.yaml"
    deck.write_text("name: stoics\ncards:\n" + "".join(
        f"  - id: c{n}\n    front: passage {n}\n    back: note {n}\n    tags: [t{n % 3}]\n" for n in range(7)))
    monkeypatch.setattr(StoredCards, "CHUNK", 3)
    with Store(tmp_path / "store.db") as store:
        (whole,) = load_through_store(store, [deck])
        (streamed,) = load_streamed(store, [deck])
        assert len(streamed.cards) == 7 and list(streamed.cards) == list(whole.cards)
        assert list(streamed.cards) == list(streamed.cards)  # gone through again: read again
        assert isinstance(streamed.cards[2], Card) and streamed.cards[2].id == whole.cards[2].id


def test_the_answer_before_each_outgoing_one_is_the_one_added_with_it():
    """Outgoing keeps a byte an answer for the answer before it; each comes back as added: none, the answer sent
    just before on the same card, or another (an answer Anki has already)."""
    from flashcards.sync.plan import Outgoing

    rng = random.Random(7)
    out, added = Outgoing(), []
    log_id = 100
    for card in range(300):
        previous = rng.choice([None, 5, 17])  # the card's answer before the first one sent: none, or one Anki has
        for _ in range(rng.randint(1, 6)):
            log_id += 1
            out.add(f"g{card}", log_id, log_id * 1000, previous)
            added.append(Outgoing.NONE if previous is None else previous)
            previous = log_id if rng.random() < 0.8 else rng.choice([3, log_id - 2])  # mostly the one just sent
    assert [out.previous(i) for i in range(len(out))] == added


def test_anki_ids_kept_as_one_number_come_back_as_they_were_given():
    from flashcards.anki.live_write import NoteIds

    ids = NoteIds()
    given = {"a": (1764000000000, 1764000000001), "b": (0, 0), "c": (-5, 7), "d": (3, 1 << 70), "e": (2**80, 9)}
    for guid, pair in given.items():
        ids[guid] = pair
    ids["b"] = (11, 12)  # written again: the latest stands
    given["b"] = (11, 12)
    assert dict(ids) == given and len(ids) == 5 and "c" in ids and "z" not in ids and ids.get("z") is None


def test_revlog_ids_kept_as_shifts_come_back_equal():
    from flashcards.sync.plan import RevlogShifts

    moments = array("q", [1000, 1000, 1000, 5000, 2**40])
    ids = array("q", [1000, 1001, 1300, 5254, 2**40 + 255])  # shifts 0, 1, 300, 254, 255
    shifts = RevlogShifts(moments, ids)
    assert [shifts.id_of(i, moment) for i, moment in enumerate(moments)] == list(ids)
