"""What an export with scheduling carries: each card's schedule and answers, read from the store as the
package is written."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from ..anki.scheduling_out import ExportHistory
from ..model import NamedDeck
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


def anki_note_guids(store: Store, decks: Sequence[NamedDeck]) -> dict[str, str]:
    """card id -> note GUID for the cards of these decks that came from notes made in Anki (see import_anki):
    exported under that GUID, such a card is the note Anki has, never a second one."""
    links = store.anki_note_links([card.id for deck in decks for card in deck.cards])
    return {card_id: guid for card_id, (guid, _) in links.items()}
