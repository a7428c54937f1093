"""`flashcards check`: is the review store sound? Never changes it."""

from __future__ import annotations

from pathlib import Path


def run(db: Path | None, as_json: bool) -> bool:
    """Check the store and print the problems with their fixes; returns whether the store is sound."""
    from ..store import resolve_db_path
    from ..store.checks import check_store
    from ..ui.reports import print_check

    report = check_store(resolve_db_path(db))
    print_check(report, as_json)
    return report.ok
