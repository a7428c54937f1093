"""What an export with scheduling carries: each card's schedule and answers, read from the store as the
package is written."""

from __future__ import annotations

from datetime import datetime

from ..anki.scheduling_out import CardSettings, ExportHistory
from ..settings import Settings
from ..store import Store


def export_history(store: Store, settings: Settings, now: datetime) -> ExportHistory:
    """What an export with scheduling carries: each card's schedule and answers, read from the store as the
    package is written, and the settings that give them meaning in Anki (each card's deck's own, where it has
    them: its retention and forgetting curve as Anki keeps them in the card)."""
    from ..scheduling.memory_states import card_presets

    presets = card_presets(store, settings)
    return ExportHistory(
        source=store, now=now, settings=_card_settings(settings), rollover_hour=settings.rollover_hour,
        presets=presets, deck_settings={name: _card_settings(settings.for_deck(name)) for name in set(presets.values())},
    )


def _card_settings(settings: Settings) -> CardSettings:
    from ..scheduling.scheduler import FSRSScheduler

    parameters = FSRSScheduler.from_settings(settings).parameters
    return CardSettings(settings.desired_retention, parameters[20] if len(parameters) > 20 else None,
                        len(settings.learning_steps_minutes), len(settings.relearning_steps_minutes))
