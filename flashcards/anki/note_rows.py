"""The notes and cards tables' rows of a package, as genanki's Note.write_to_db writes them (same ids, columns and
values), but made and inserted a chunk of notes at a time with executemany: no genanki Note object per card, and
one statement per chunk instead of one per row."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable, Iterator
from typing import NamedTuple

NOTE_CHUNK = 2_000  # notes whose rows are made and inserted at a time
_BASE91 = ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&()*+,-./:;<=>?@[]^_`{|}~")
_INSERT_NOTE = "INSERT INTO notes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
_INSERT_CARD = "INSERT INTO cards VALUES (?, ?, ?, ?, ?, ?, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '')"


class PackageNote(NamedTuple):
    """A note as the package holds it: its GUID, its fields as Anki HTML, its tags (no spaces in one), and its
    modification time (None: the package's)."""

    guid: str
    fields: list[str]
    tags: list[str]
    mod: float | None = None


def guid_for(*values: str) -> str:
    """genanki.guid_for, made without its per-digit list work: base91 of the first 8 bytes of the SHA-256 of
    the values joined by '__'."""
    number = int.from_bytes(hashlib.sha256("__".join(values).encode("utf-8")).digest()[:8], "big")
    digits = []
    while number:
        number, digit = divmod(number, 91)
        digits.append(_BASE91[digit])
    return "".join(reversed(digits))


def write_notes(cursor, model, deck_id: int, notes: Iterable[PackageNote], timestamp: float,
                id_gen: Iterator[int]) -> None:
    """Insert each note and its cards (one per template whose required fields it fills, as genanki decides) into
    the deck, `NOTE_CHUNK` notes at a time, ids taken from `id_gen` in genanki's order (a note's, then its cards')."""
    required = [(ord_, any if how == "any" else all, fields) for ord_, how, fields in model._req]
    notes = iter(notes)
    while chunk := list(itertools.islice(notes, NOTE_CHUNK)):
        note_rows, card_rows = [], []
        for note in chunk:
            mod = int(timestamp if note.mod is None else note.mod)
            note_id = next(id_gen)
            fields = note.fields
            note_rows.append((note_id, note.guid, model.model_id, mod, -1, f" {' '.join(note.tags)} ",
                              "\x1f".join(fields), fields[model.sort_field_index], 0, 0, ""))
            for ord_, test, field_ords in required:
                if test(fields[index] for index in field_ords):
                    card_rows.append((next(id_gen), note_id, deck_id, ord_, mod, -1))
        cursor.executemany(_INSERT_NOTE, note_rows)
        cursor.executemany(_INSERT_CARD, card_rows)
