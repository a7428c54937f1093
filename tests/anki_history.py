"""Helpers for the history round-trip tests: a store with reviewed cards, Anki collections answered through
Anki's own scheduler, and packages exported by Anki itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from flashcards.clock import day_number
from flashcards.decks.deckfile.writer import save_deck
from flashcards.model import Card, CardRow, Deck, Rating, Schedule
from flashcards.scheduling.scheduler import FSRSScheduler
from flashcards.store import Store

RATINGS = [[3, 3, 3], [1, 3, 3, 3], [3, 1, 3], [4], [1], [3, 3, 3, 1]]  # review x4, learning, relearning


def reviewed_store(tmp: Path, count: int = 7) -> tuple[Store, Deck, Path]:
    """A deck file of `count` cards and a store where the first six were answered (weeks ago: the fourth is
    suspended, the first buried), the rest new."""
    deck = Deck("Reading", [Card(f"card{i:03d}", f"Passage number {i}", f"thought {i}", "book.txt", ["t"])
                            for i in range(count)])
    deck_path = tmp / "reading.yaml"
    save_deck(deck, deck_path)
    store = Store(tmp / "store.db")
    scheduler = FSRSScheduler(fuzz=False)
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=60)
    with store.transaction() as db:
        for index, (card, ratings) in enumerate(zip(deck.cards, RATINGS, strict=False)):
            schedule, at = Schedule(), start + timedelta(minutes=index)
            for rating in ratings:
                after = scheduler.review(card.id, schedule, Rating(rating), at)
                store.log_answer(db, card.id, at, rating, 4000 + index, schedule, after)
                schedule, at = after, after.due + timedelta(hours=1)
            buried = day_number(datetime.now(UTC)) if index == 0 else None
            store.write_card(db, CardRow(card.id, schedule, suspended=index == 3, buried_until=buried))
        for card in deck.cards[len(RATINGS):]:
            store.write_card(db, CardRow(card.id, Schedule()))
    return store, deck, deck_path


def import_with_scheduling(col, path: Path):
    """Import a package into Anki with "Import any learning progress"."""
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    request = ImportAnkiPackageRequest(package_path=str(path), options=ImportAnkiPackageOptions(with_scheduling=True))
    return col.import_anki_package(request).log


def revlog(col) -> list[tuple]:
    return [tuple(row) for row in col.db.all("SELECT id, cid, ease, ivl, lastIvl, factor, time, type FROM revlog ORDER BY id")]


def cards_state(col) -> list[tuple]:
    return [tuple(row) for row in col.db.all(
        "SELECT id, type, queue, due, ivl, reps, lapses, data FROM cards ORDER BY id")]


def answer_in_anki(col, times: int, ease: int = 3) -> int:
    """Answer `times` cards through Anki's own scheduler (whatever it shows first); returns how many it did."""
    done = 0
    for _ in range(times):
        queued = col.sched.get_queued_cards(fetch_limit=1)
        if not queued.cards:
            break
        card = col.get_card(queued.cards[0].card.id)
        card.start_timer()
        col.sched.answerCard(card, ease)
        done += 1
    return done


def anki_export(col, path: Path, *, legacy: bool) -> Path:
    """An .apkg exported by Anki itself, with scheduling."""
    from anki.collection import ExportAnkiPackageOptions

    options = ExportAnkiPackageOptions(with_scheduling=True, with_deck_configs=False, with_media=False, legacy=legacy)
    col.export_anki_package(out_path=str(path), options=options, limit=None)
    return path
