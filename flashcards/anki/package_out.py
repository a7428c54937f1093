"""Export decks to an Anki package (.apkg): genanki's collection and our note type (see note_type.py), the notes
written a chunk at a time (note_rows.py)."""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple, Protocol

from ..errors import FlashcardsError
from ..files.atomic import write_atomic_via
from ..model import Card, NamedDeck
from .note_rows import PackageNote, guid_for, write_notes
from .note_type import genanki_model
from .scheduling_out import ExportHistory

_TAG_UNSAFE = re.compile(r"\s+")
PROGRESS_STEP = 500  # notes between progress updates (a redraw per note would cost more than the note)
# C0 controls but tab and newline: Anki drops NUL, and \x1f is its field separator (it would split a note).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def field_html(text: str) -> str:
    """Plain text as Anki field HTML: escaped, so `<script>` shows literally; newlines as <br>; control
    characters (which Anki cannot store in a field) removed; `[` as an entity, so `[sound:x.mp3]` in a
    passage shows as text instead of playing. Unicode NFC, as Anki stores fields: what we send is what it keeps."""
    text = unicodedata.normalize("NFC", _CONTROL.sub("", text))
    return html.escape(text, quote=False).replace("\n", "<br>").replace("[", "&#91;")


def anki_tag(tag: str) -> str:
    """A tag in Anki's form: no spaces (they separate tags in Anki)."""
    return _TAG_UNSAFE.sub("_", tag.strip())


def deck_id(name: str) -> int:
    """A stable Anki deck id derived from the deck's full name."""
    digest = int.from_bytes(hashlib.sha256(f"flashcards deck:{name}".encode()).digest()[:8], "big")
    return (1 << 30) + digest % (1 << 30)


def note_guid(card_id: str) -> str:
    """The note GUID, from the card's stored id only, so edits update the note instead of duplicating it."""
    return guid_for("flashcards", card_id)


def deck_fingerprint(deck_name: str, deck_tags: list[str]) -> str:
    """The part of a note's fingerprint that its deck gives it (the Anki deck name, the deck's tags)."""
    return hashlib.sha256("\x1f".join([deck_name, *deck_tags]).encode("utf-8")).hexdigest()[:12]


def _streamed_deck_class():
    import genanki

    class StreamedDeck(genanki.Deck):
        """A genanki deck whose notes are made as they are written, a chunk at a time, never all held: genanki
        writes the deck and its note type (when it has notes, as genanki does), then the notes (note_rows.write_notes)."""

        def __init__(self, deck_id: int, name: str, model, has_notes: bool, notes: Iterable[PackageNote]) -> None:
            super().__init__(deck_id, name)
            if has_notes:
                self.add_model(model)
            self.streamed = notes
            self.note_model = model

        def write_to_db(self, cursor, timestamp, id_gen):
            super().write_to_db(cursor, timestamp, id_gen)  # the deck and its note type: no notes of its own
            write_notes(cursor, self.note_model, self.deck_id, self.streamed, timestamp, id_gen)

    return StreamedDeck


class ExportNote(NamedTuple):
    """A card as its note is exported: the card, its note's modification time (None: the package's), and the GUID
    of the note made in Anki it came from (None: its own, note_guid())."""

    card: Card
    mod: float | None = None
    guid: str | None = None


class NoteSource(Protocol):
    """A deck's notes as the export reads them: as they come, once (and again only to name the decks of a card
    found in two); how many there are is known beforehand."""

    def __iter__(self) -> Iterator[ExportNote]: ...

    def __len__(self) -> int: ...


class _CardNotes:
    """A deck's own cards as notes, with their times and GUIDs from mappings."""

    def __init__(self, cards: Sequence[Card], note_times: Mapping[str, float], guids: Mapping[str, str]) -> None:
        self._cards, self._times, self._guids = cards, note_times, guids

    def __iter__(self) -> Iterator[ExportNote]:
        return (ExportNote(card, self._times.get(card.id), self._guids.get(card.id)) for card in self._cards)

    def __len__(self) -> int:
        return len(self._cards)


def anki_deck_names(decks: Sequence[NamedDeck], parent: str | None) -> list[str]:
    """Anki deck names: one deck keeps its name; several become subdecks `Parent::Child`."""
    if len(decks) == 1 and not parent:
        return [decks[0].name]
    parent = parent or "flashcards"
    return [f"{parent}::{deck.name}" for deck in decks]


def export_decks(
    decks: Sequence[NamedDeck],
    out: Path,
    parent: str | None = None,
    timestamp: float | None = None,
    progress: Callable[[int], None] | None = None,
    note_times: Mapping[str, float] | None = None,
    history: ExportHistory | None = None,
    package_format: str = "legacy",
    guids: Mapping[str, str] | None = None,
    notes: Sequence[NoteSource] | None = None,
) -> int:
    """Write the decks to one .apkg at `out`; returns the number of notes written.

    `note_times` maps card ids to the modification time their note should carry (default: `timestamp`,
    or now); giving unchanged cards their earlier time makes a re-import update only what changed.
    `history` (see export/history.py) adds each card's schedule and answers; `package_format` is "legacy"
    (collection.anki2, every Anki since 2.1) or "current" (collection.anki21b, zstd: Anki 2.1.50 and later).
    `guids` maps the ids of cards that came from notes made in Anki to those notes' GUIDs: such a note is written
    with its own GUID, so that Anki's import matches the note it has (and leaves it, its note type being the
    person's) instead of adding a second one.
    `notes`: each deck's notes (cards, times and GUIDs together), instead of the decks' cards with `note_times` and
    `guids`; either way each note is made as it is written into the package and let go (a big deck is never held
    as notes), and only each note's GUID and card id are kept, for its schedule.
    """
    import time

    from .package_write import FORMATS, write_package

    if package_format not in FORMATS:
        raise FlashcardsError(f"unknown package format {package_format!r} (known: {', '.join(FORMATS)})")
    if notes is None:
        notes = [_CardNotes(deck.cards, note_times or {}, guids or {}) for deck in decks]
    model = genanki_model()
    deck_class = _streamed_deck_class()
    seen_guids: dict[str, str] = {}  # each note's GUID: its card, for its schedule
    written = 0

    def made(index: int, deck: NamedDeck) -> Iterator[PackageNote]:
        nonlocal written
        deck_tags = list(dict.fromkeys(anki_tag(tag) for tag in deck.tags if tag.strip()))
        for card, mod, linked in notes[index]:
            guid = linked or note_guid(card.id)
            if guid in seen_guids:
                first = next(decks[at] for at in range(index + 1) if any(
                    (note.guid or note_guid(note.card.id)) == guid for note in notes[at]))
                raise FlashcardsError(f"card {card.id} is in two of the exported decks, "
                                      f"{getattr(first, 'path', first.name)} and {getattr(deck, 'path', deck.name)}; "
                                      "keep it in one of them")
            seen_guids[guid] = card.id
            tags = deck_tags
            if card.tags:
                tags = list(dict.fromkeys([*deck_tags, *(anki_tag(tag) for tag in card.tags if tag.strip())]))
            yield PackageNote(guid, [field_html(card.front), field_html(card.back), field_html(card.source)], tags, mod)
            written += 1
            if progress and written % PROGRESS_STEP == 0:
                progress(PROGRESS_STEP)

    anki_decks = [deck_class(deck_id(name), name, model, len(notes[index]) > 0, made(index, deck))
                  for index, (deck, name) in enumerate(zip(decks, anki_deck_names(decks, parent), strict=True))]
    stamp = time.time() if timestamp is None else timestamp
    write_atomic_via(out, lambda tmp: write_package(anki_decks, tmp, stamp, history, seen_guids, package_format))
    if progress and written % PROGRESS_STEP:
        progress(written % PROGRESS_STEP)
    return written
