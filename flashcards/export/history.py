"""What an export with scheduling carries: each card's schedule and answers, read from the store as the
package is written."""

from __future__ import annotations

from datetime import datetime

from ..anki.scheduling_out import ExportHistory
from ..settings import Settings
from ..store import Store


def export_history(store: Store, settings: Settings, now: datetime) -> ExportHistory:
    """What an export with scheduling carries: each card's schedule and answers, read from the store as the
    package is written, and the settings that give them meaning in Anki."""
    from ..scheduling.scheduler import FSRSScheduler

    parameters = FSRSScheduler.from_settings(settings).parameters
    return ExportHistory(
        source=store, now=now, desired_retention=settings.desired_retention,
        decay=parameters[20] if len(parameters) > 20 else None, learning_steps=len(settings.learning_steps_minutes),
        relearning_steps=len(settings.relearning_steps_minutes), rollover_hour=settings.rollover_hour,
    )

