"""From the store to the stats library: its rows as the records numbers.py computes over, and the settings shown.

The stats command calls store_stats() and prints what it returns.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, tzinfo

from ..clock import utc_now
from ..model import CardRow, LoggedAnswer, State
from ..settings import Settings
from ..store import Store
from .numbers import Answer, CardSnapshot, Stats

STATE_NAMES = {State.NEW: "new", State.LEARNING: "learning", State.REVIEW: "review", State.RELEARNING: "relearning"}


def card_snapshots(rows: Iterable[CardRow], today: int) -> list[CardSnapshot]:
    """Store rows as the stats library's records (buried: through today's study day or later)."""
    snapshots = []
    for row in rows:
        schedule = row.schedule
        interval = None
        if schedule.due is not None and schedule.last_review is not None:
            interval = (schedule.due - schedule.last_review).total_seconds() / 86400
        snapshots.append(CardSnapshot(
            row.card_id, STATE_NAMES[State(schedule.state)], schedule.due, schedule.stability, interval,
            suspended=row.suspended, buried=row.buried_until is not None and row.buried_until >= today,
            difficulty=schedule.difficulty, last_review=schedule.last_review,
        ))
    return snapshots


def answer_records(logged: Iterable[LoggedAnswer]) -> list[Answer]:
    """Log rows (in time order) as the stats library's records, each with the interval it was answered at."""
    last: dict[str, LoggedAnswer] = {}
    records = []
    for answer in logged:
        previous = last.get(answer.card_id)
        interval = None
        if previous is not None and previous.due is not None:
            interval = (previous.due - previous.reviewed_at).total_seconds() / 86400
        records.append(Answer(answer.card_id, answer.reviewed_at, answer.rating, answer.duration_ms,
                              STATE_NAMES[State(answer.state_before)], interval))
        last[answer.card_id] = answer
    return records


def store_stats(store: Store | None, decks: Sequence[str] | None, settings: Settings, now: datetime | None = None,
                tz: tzinfo | None = None) -> Stats:
    """The statistics of the given decks' cards (all cards when `decks` is None); no store: empty stats."""
    from .summed import stats_from_store  # summed in SQLite: the log is never loaded

    return stats_from_store(store, decks, now or utc_now(), rollover_hour=settings.rollover_hour, tz=tz,
                            desired_retention=settings.desired_retention, decay=decay_of(settings))


def decay_of(settings: Settings) -> float:
    """The forgetting curve's decay in use: the fitted parameters' (FSRS-6's 21st), else fsrs-rs's default."""
    if settings.parameters:
        return settings.parameters[20]
    from fsrs_rs_python import DEFAULT_PARAMETERS

    return float(DEFAULT_PARAMETERS[20])


def settings_summary(settings: Settings) -> dict[str, str]:
    """The settings the stats screen shows beside the numbers."""
    summary = {"desired retention": f"{round(100 * settings.desired_retention, 2):g}%"}
    if settings.uses_default_parameters:
        summary["parameters"] = "FSRS defaults"
    else:
        when = settings.fitted.get("date", "")
        summary["parameters"] = f"fitted to your history{' on ' + when if when else ''}"
    summary["day starts"] = f"{settings.rollover_hour:02d}:00"
    return summary
