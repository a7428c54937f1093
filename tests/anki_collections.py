"""Helpers for the tests against real Anki collections (the `anki` package): answering through Anki's own
scheduler, a snapshot of every row a sync could touch, and a process that holds a collection open as Anki does."""

from __future__ import annotations

import textwrap
from datetime import datetime

from flashcards.anki.live import read_our_cards

# A process that opens the collection as Anki desktop does, says "open" and holds it until a line on stdin.
HOLDER = textwrap.dedent("""
    import sys
    from anki.collection import Collection
    col = Collection(sys.argv[1])
    col.sched.counts()
    print("open", flush=True)
    sys.stdin.readline()
    col.close()
""")


def snapshot(col) -> dict:
    """Everything a sync could touch, row by row."""
    tables = ("col", "notes", "cards", "revlog", "notetypes", "decks", "fields", "templates", "config")
    return {table: col.db.all(f"select * from {table} order by 1") for table in tables}


def answer_in_anki(col, guid: str, rating, at: datetime, taken_ms: int) -> None:
    """Answer our card the way Anki desktop does: the scheduler's queue, its states, answer_card."""
    from anki.cards import Card as AnkiCardObject

    card_id = read_our_cards(col, [guid])[guid].card_id
    col.decks.select(col.get_card(card_id).did)
    queued = next(q for q in col.sched.get_queued_cards(fetch_limit=50).cards if q.card.id == card_id)
    card = AnkiCardObject(col, backend_card=queued.card)
    card.start_timer()
    answer = col.sched.build_answer(card=card, states=queued.states, rating=rating)
    answer.answered_at_millis = round(at.timestamp() * 1000)
    answer.milliseconds_taken = taken_ms
    col.sched.answer_card(answer)
