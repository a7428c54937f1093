"""What a sync did (or, with --dry-run, would do)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class SyncReport:
    """Notes added and updated in Anki, answers carried each way, cards whose schedule moved, cards moved to
    other decks in Anki, backups."""

    collection: str
    notes_added: int = 0
    notes_updated: int = 0
    left_in_anki: list[str] = field(default_factory=list)  # GUIDs of notes no longer in the decks, kept in Anki
    answers_to_anki: int = 0
    answers_to_store: int = 0
    schedules_moved: list[str] = field(default_factory=list)  # our card ids, on either side
    dry_run: bool = False
    anki_backup: str | None = None
    store_backup: str | None = None
    parent: str | None = None  # the parent deck synced under (None: none)
    deck_moves: list[dict] = field(default_factory=list)  # {"from", "to", "cards"}: cards moved to another Anki deck
    as_last_time: bool = False  # the collection or parent came from the last sync of these decks
    moves_refused: str | None = None  # dry run: why a real sync would refuse these moves without --move-decks

    @property
    def changed(self) -> bool:
        return bool(self.notes_added or self.notes_updated or self.answers_to_anki or self.answers_to_store
                    or self.schedules_moved or self.deck_moves)

    def to_dict(self) -> dict:
        return asdict(self)
