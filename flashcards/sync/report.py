"""What a sync did (or, with --dry-run, would do)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class SyncReport:
    """Notes added and updated in Anki, answers carried each way, cards whose schedule moved, backups."""

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

    @property
    def changed(self) -> bool:
        return bool(self.notes_added or self.notes_updated or self.answers_to_anki or self.answers_to_store
                    or self.schedules_moved)

    def to_dict(self) -> dict:
        return asdict(self)
