"""The review store: the only owner of the SQLite file (WAL) that holds each card's schedule, every answer,
a cache of the decks and export times.

`Store` is one connection with its concerns mixed in, each in its own module: reviews.py (schedules, writing
the log, the queue), log_reads.py (reading the log back: answers, answer rows, the facts an Anki export
writes), deck_cache.py, card_search.py, export_times.py, history_import.py (answers from Anki merged once),
anki_notes.py (the Anki note a card brought from Anki belongs to),
due_counts.py and day_load.py (cards due per day, the load balancer's load per preset), stats_queries.py, sync_state.py; schema.py holds the
migrations, checks.py the read-only integrity and
consistency checks, backups.py the daily backups.

What this package may import from the rest of flashcards: model, errors, clock, settings, stats.totals (the
shapes its stats queries return) and files.atomic; never decks, scheduling, ui or commands, which are built
on it.
"""

from __future__ import annotations

from .anki_notes import AnkiNotes
from .card_search import CardSearch
from .connection import BUSY_TIMEOUT_S, Connection, damaged_store_error
from .deck_cache import CachedDeck, DeckCache
from .due_counts import DueCounts
from .export_times import ExportTimes
from .history_import import HistoryImport
from .log_reads import LogReads
from .paths import ENV_VAR, default_db_path, resolve_db_path
from .reviews import ReviewState
from .schema import SCHEMA_VERSION
from .stats_queries import StatsQueries
from .sync_state import SyncState


class Store(ReviewState, DueCounts, LogReads, DeckCache, CardSearch, ExportTimes, HistoryImport, AnkiNotes, StatsQueries,
            SyncState, Connection):
    """An open review store. Use as a context manager, or call close()."""

    def __enter__(self) -> Store:
        return self


__all__ = ["BUSY_TIMEOUT_S", "ENV_VAR", "SCHEMA_VERSION", "CachedDeck", "Store", "damaged_store_error",
           "default_db_path", "resolve_db_path"]
