"""One sync, safely: everything computed first, then the store's writes staged in its open transaction, Anki
written in its one transaction (after Anki's own backup), and only then the store committed.

Any failure before Anki commits leaves both sides as they were (the store's transaction is rolled back, Anki's
never committed). Only a failure of the store's final COMMIT itself can leave Anki ahead of the store; the
message says so, and running sync again completes the store's side, adding nothing twice (answers are matched
by card and moment). The store's transaction is taken first (BEGIN IMMEDIATE), so no review can slip in between
reading it and writing it; a review session in another terminal waits for the sync to finish.

Cards that would only move to the same deck under another parent are refused before anything is written, unless
asked for (moves.py); the collection and parent used are remembered for the set of decks (`sync_targets`).
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from ..anki.live_decks import deck_moves
from ..anki.live_model import WriteResult
from ..anki.live_write import write_changes
from ..clock import to_ms, utc_now
from ..decks.open_decks import OpenDeck
from ..errors import FlashcardsError
from ..settings import Settings
from ..store import Store
from ..store.sync_state import SyncTarget
from .changes import record_mark
from .moves import DeckMove, grouped, parent_moves, refuse_parent_moves, why
from .plan import SyncPlan, plan_sync
from .report import SyncReport


def sync_with_anki(store: Store, col: Any, decks: list[OpenDeck], settings: Settings, *, parent: str | None = None,
                   dry_run: bool = False, now: datetime | None = None, tz: tzinfo | None = None,
                   backup_folder: Path | None = None, move_decks: bool = False,
                   remember: str | None = None) -> SyncReport:
    """Sync the decks' cards with an open Anki collection: notes, answers both ways, one schedule per card.

    Cards that would move to other Anki decks only because the parent deck differs (see moves.py) stop the sync
    before anything is written unless `move_decks`; the dry run names them. `remember` is the key of this set of
    decks (the command makes it): the collection and parent are recorded under it after a real sync, and the
    parent recorded last is the one a refusal suggests."""
    now = now or utc_now()
    parent = parent or None
    here = collection_key(col)
    last = store.sync_target(remember) if remember else None
    remembered = last is not None and last.collection == here
    last_parent = last.parent if last is not None and remembered else None
    if dry_run:
        plan = plan_sync(store, col, decks, settings, parent=parent, now=now, tz=tz)
        moves = grouped(deck_moves(col, plan.notes))
        anki = write_changes(col, plan.notes, plan.reviews, plan.schedules, dry_run=True, known=plan.anki_ids)
        report = _report(col, plan, anki, dry_run=True, parent=parent, moves=moves)
        if parent_moves(moves) and not move_decks:
            report.moves_refused = why(parent_moves(moves), parent, last_parent, remembered)
        return report
    anki_done: WriteResult | None = None
    store_backup: Path | None = None
    try:
        # the store's write lock is held from the plan to the commit: nothing can change under the plan; the
        # store's writes wait in the open transaction while Anki is written, then commit
        with store.transaction() as db:
            plan = plan_sync(store, col, decks, settings, parent=parent, now=now, tz=tz)
            moves = grouped(deck_moves(col, plan.notes))
            if not move_decks:
                refuse_parent_moves(moves, parent, last_parent, remembered)
            store_backup = backup_store(store) if plan.store_changes else None
            apply_to_store(store, db, plan)
            anki_done = write_changes(col, plan.notes, plan.reviews, plan.schedules, backup_folder=backup_folder,
                                      known=plan.anki_ids)
            plan.release_writes()  # millions of answers at a first sync: not held through the mark's writes
            record_mark(store, db, col, plan.mark, anki_done)  # what the next sync reads changes since
            target = SyncTarget(here, parent, to_ms(now))
            if remember and (last is None or last[:2] != target[:2] or anki_done.changed or plan.store_changes):
                store.record_sync_target(db, remember, target)
    except BaseException as error:
        if anki_done is not None and anki_done.changed and isinstance(error, Exception):
            raise FlashcardsError(
                f"Anki was updated ({len(anki_done.notes_added)} notes added, {anki_done.reviews_added} answers, "
                f"{len(anki_done.schedules_changed)} schedules) but the store could not save its side ({error}); "
                "run sync again to complete it: nothing is added twice"
            ) from error
        raise
    report = _report(col, plan, anki_done, dry_run=False, parent=parent, moves=moves)
    report.store_backup = str(store_backup) if store_backup else None
    return report


def collection_key(col: Any) -> str:
    """How a collection is remembered: its file's full path."""
    return str(Path(col.path).resolve())


def apply_to_store(store: Store, db: Any, plan: SyncPlan) -> None:
    """The store's side of the plan, inside the caller's open transaction."""
    store.insert_answers(db, plan.store_answers)
    store.write_cards(db, plan.store_rows)
    if plan.flags:
        store.record_synced_flags(db, plan.flags)


def backup_store(store: Store) -> Path:
    """A copy of the store as it is before the sync, beside its daily backups (see store.backups)."""
    from ..store.backups import named_backup

    return named_backup(store.path, "before-sync")


def _report(col: Any, plan: SyncPlan, anki: WriteResult, dry_run: bool, parent: str | None,
            moves: list[DeckMove]) -> SyncReport:
    moved = {plan.card_of[guid] for guid in anki.schedules_changed}
    moved.update(row.card_id for row in plan.store_rows)
    return SyncReport(
        collection=str(col.path),
        notes_added=len(anki.notes_added),
        notes_updated=len(anki.notes_updated),
        left_in_anki=plan.left_in_anki,
        answers_to_anki=anki.reviews_added,
        answers_to_store=len(plan.store_answers),
        schedules_moved=sorted(moved),
        dry_run=dry_run,
        anki_backup=anki.backup,
        parent=parent,
        deck_moves=[move.to_dict() for move in moves],
    )
