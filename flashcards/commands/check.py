"""`flashcards check`: is the review store sound? Never changes it, unless `--repair` is asked for: then counts
that disagree with an intact review log are recounted from it (after a copy of the store), and memory states
recomputed from the same log. A damaged store is never repaired in place: the advice is a restore."""

from __future__ import annotations

from pathlib import Path


def run(db: Path | None, as_json: bool, repair: bool = False) -> bool:
    """Check the store (and with `repair`, fix what its own log can fix); print the problems with their fixes;
    returns whether the store is sound."""
    from ..store import resolve_db_path
    from ..store.checks import Repair, check_store
    from ..ui.reports import print_check

    path = resolve_db_path(db)
    report = check_store(path)
    if repair:
        if report.ok:
            report.repair = Repair()
        elif not report.repairable:
            report.repair = Repair(refused="nothing repaired: this store cannot be repaired in place (it is damaged, "
                                           "not only its counts); follow the fix above")
        else:
            done = _repair(path)
            report = check_store(path)
            report.repair = done
    print_check(report, as_json)
    return report.ok


def _repair(path: Path):
    """Recount from the log (after a copy), then recompute every card's memory state from it."""
    from ..scheduling.memory_states import recompute_memory_states
    from ..store.checks import Repair, repair_counts
    from .context import open_store, store_settings

    with open_store(path, create=False) as store:
        backup, recounted = repair_counts(store)
        memory = recompute_memory_states(store, store_settings(store))
    return Repair(backup, recounted, memory.changed)
