"""Two sessions at once on one store: no 'database is locked', no lost answer, no card learned twice."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from reviewing import write_deck

from flashcards.model import State
from flashcards.store import Store

pytestmark = pytest.mark.slow  # end to end: run by CI, left out of the quick loop (-m "not slow")

WORKER = textwrap.dedent(
    """
    import sys
    import time
    from pathlib import Path
    from flashcards.decks.open_decks import open_decks
    from flashcards.model import Rating
    from flashcards.scheduling.scheduler import FSRSScheduler
    from flashcards.review.session import Session
    from flashcards.settings import Settings
    from flashcards.store import Store

    deck, db, ready, go = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4])
    store = Store(db)
    settings = Settings(new_per_day=1000)
    session = Session(store, open_decks(store, [deck]), FSRSScheduler.from_settings(settings), settings)
    ready.touch()
    while not go.exists():
        pass
    answered = 0
    while True:
        asked = time.monotonic_ns()  # the store is read after this moment
        shown = session.next_card()
        if shown is None:
            break
        print("shown", shown.card.id, asked, flush=True)
        session.answer(shown, Rating.EASY)
        answered += 1
        print("ack", shown.card.id, time.monotonic_ns(), flush=True)  # committed before this line
    print("done", answered, flush=True)
    """
)


def test_two_processes_answering_at_once_lose_nothing_and_never_learn_a_card_twice(tmp_path):
    deck = tmp_path / "deck.yaml"
    ids = write_deck(deck, 300)
    db = tmp_path / "fc.db"
    with Store(db) as store:  # cache the deck once so both start together
        from flashcards.decks.open_decks import open_decks

        open_decks(store, [deck])
    go = tmp_path / "go"
    workers = []
    for name in ("a", "b"):
        ready = tmp_path / f"ready-{name}"
        workers.append((ready, subprocess.Popen([sys.executable, "-c", WORKER, str(deck), str(db), str(ready), str(go)],
                                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)))
    while not all(ready.exists() for ready, _ in workers):
        pass
    go.touch()
    events = []  # (kind, card, moment, worker): the system-wide monotonic clock orders both processes
    for number, (_, worker) in enumerate(workers):
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        assert "locked" not in err
        lines = out.splitlines()
        assert lines[-1].startswith("done")
        events += [(kind, card, int(moment), number) for kind, card, moment in (line.split() for line in lines[:-1])]
    acks = [e for e in events if e[0] == "ack"]
    assert {e[3] for e in acks} == {0, 1}, "both sessions answered"
    with Store(db) as store:
        log = list(store.answers())
        assert len(log) == len(acks)  # no lost answer
        assert sorted(e[1] for e in acks) == sorted(entry.card_id for entry in log)
        first_answers = [entry.card_id for entry in log if entry.state_before == State.NEW]
        assert sorted(first_answers) == sorted(ids)  # every card learned once, by one session or the other
    first_ack = {}
    for _, card, moment, _ in sorted(acks, key=lambda e: e[2]):
        first_ack.setdefault(card, moment)
    shown_after_answered = [e for e in events if e[0] == "shown" and e[2] > first_ack[e[1]]]
    assert shown_after_answered == []  # once answered in one session, a card is never shown by the other
