"""Any table with a header row, comma-, tab- or semicolon-separated: one card per row.

`--front-col` and `--back-col` name the columns; without them the columns are guessed (front/back,
question/answer, text/note, passage/commentary, ..., else the first two) and a warning says which.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator

from ..errors import FlashcardsError
from ..model import Highlight
from .base import ImportOptions, ImportResult, file_label, first_lines

NAME = "csv"
DELIMITERS = ("\t", ",", ";")
FRONT_NAMES = ("front", "question", "highlight", "passage", "quote", "text", "term", "word", "prompt", "q")
BACK_NAMES = ("back", "answer", "note", "notes", "commentary", "comment", "comments", "definition", "meaning",
              "translation", "explanation", "a")
_SPACES = re.compile(r"[\s_]+")
_NUMBER = re.compile(r"[-+]?[\d.,:]+")
_WORD = re.compile(r"[^\W_]+")
# Words in a column's name that say the reader's own notes may be in it (Note, My notes, Comment, Annotation...).
NOTE_WORDS = {"note", "notes", "comment", "comments", "commentary", "annotation", "annotations", "thought",
              "thoughts", "reflection", "reflections", "remark", "remarks", "memo", "opinion"}


def read_records(text: str, source: str, delimiter: str = ",") -> Iterator[tuple[int, list[str]]]:
    """The table's non-blank records, each with the line it starts on; bad quoting is one clear error."""
    csv.field_size_limit(max(csv.field_size_limit(), 2**31 - 1))  # a long commentary is one cell: never refuse it
    reader = csv.reader(_lines_with_ends(text), delimiter=delimiter, strict=True)
    line = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            problem = "a quoted cell is never closed" if "end of data" in str(error) else str(error)
            raise FlashcardsError(f"{source}:{line}: not a valid table row: {problem}") from None
        if row:
            yield line, row
        line = reader.line_num + 1


def _lines_with_ends(text: str) -> Iterator[str]:
    """The text's lines, each with its '\\n', one at a time (io.StringIO would hold the text again at four bytes
    a character)."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        yield text[start:end]
        start = end


def sniff_delimiter(text: str) -> str | None:
    """The separator the header line uses most (tab, comma or semicolon), or None for no table at all."""
    header = next((line for line in first_lines(text, 16384) if line.strip()), "")
    counts = {delimiter: header.count(delimiter) for delimiter in DELIMITERS}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else None


def column_key(name: str) -> str:
    """A header cell as compared with known names: lower case, spaces and underscores collapsed."""
    return _SPACES.sub(" ", name).strip().lower()


SAMPLE_WINDOWS = (65536, 1 << 20, 16 << 20)  # characters: the usual sample, then wider for long rows


def header_too_long(text: str) -> bool:
    """Whether the first line is longer than the first sample: a line of prose (or no text at all), never a
    header of column names (which detect() wants at most 40 characters each)."""
    return len(text) > SAMPLE_WINDOWS[0] and "\n" not in text[: SAMPLE_WINDOWS[0]]


def sample_records(text: str, delimiter: str) -> list[list[str]]:
    """The first records of a table from a bounded prefix of the text ([] when it is not valid CSV)."""
    if header_too_long(text):
        return []  # (and a long line is not parsed as cells, at many times its size)
    for window in SAMPLE_WINDOWS:  # a long first row may lie past the first window: look further before judging
        sample = "\n".join(first_lines(text, window))
        records = []
        try:
            for _, row in read_records(sample, "", delimiter):
                records.append(row)
                if len(records) > 50:
                    break
        except FlashcardsError:
            pass  # a bad row (or one cut by the sample's end): judge by the records before it; parse reports it
        if len(records) >= 2 or len(sample) >= len(text):
            break
    return records


def detect(text: str) -> float:
    """Likely for a header of short names over rows of the same width; more so with known column names."""
    delimiter = sniff_delimiter(text)
    if delimiter is None:
        return 0.0
    records = sample_records(text, delimiter)
    if len(records) < 2:
        return 0.0
    header, rows = records[0], records[1:]
    names = [cell.strip() for cell in header]
    if sum(1 for name in names if name) < 2 or any(len(name) > 40 for name in names):
        return 0.0
    even = sum(1 for row in rows if len(row) == len(header)) / len(rows)
    if even < 0.9:
        return 0.0
    keys = {column_key(name) for name in names}
    if keys & set(FRONT_NAMES) and keys & set(BACK_NAMES):
        return 0.8
    return 0.4 if len(rows) >= 2 else 0.0


def parse(text: str, source: str, options: ImportOptions) -> ImportResult:
    """One highlight per row: the front column's cell as the front, the back column's as the back."""
    delimiter = sniff_delimiter(text) or ","
    result = ImportResult("tsv" if delimiter == "\t" else NAME)
    records = read_records(text, source, delimiter)
    try:
        header_line, header = next(records)
    except StopIteration:
        return result
    names = [cell.strip() for cell in header]
    rows = list(records)
    front, back = _columns(names, _text_columns(names, rows), options, source, header_line, result)
    front_name = names[front]
    rest = Leftovers(names, {front} if back is None else {front, back}, keep_notes=options.back_col is None)
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            result.skipped["blank row"] += 1
            continue
        text_front = row[front].strip() if front < len(row) else ""
        if not text_front:
            result.skipped[f"empty {front_name!r} cell"] += 1
            continue
        text_back = rest.back(row, row[back].strip() if back is not None and back < len(row) else "")
        result.add(Highlight(text_front, text_back, f"{file_label(source)}:{line}", (), line))
    result.warnings.extend(rest.warnings(source, header_line))
    return result


def is_note_column(name: str) -> bool:
    """Whether a column's name says the reader's own notes may be in it: Note, My notes, Comment, Annotation..."""
    return any(word in NOTE_WORDS for word in _WORD.findall(name.lower()))


class Leftovers:
    """The cells of a table's columns that no field of a card takes. Those of a column that may hold the reader's
    notes are kept, added to the back after a blank line (when `keep_notes`); the others are left out. Either
    way a warning names the columns, so that nothing is dropped without a word; a column whose cells are all
    empty loses nothing and is not named."""

    def __init__(self, names: list[str], used: set[int], keep_notes: bool = True) -> None:
        self.names = names
        self.notes = [index for index, name in enumerate(names)
                      if keep_notes and index not in used and is_note_column(name)]
        self.used = used | set(self.notes)
        self.kept: set[int] = set()  # note columns with a cell added to a back
        self.dropped: set[int] = set()  # other columns with a cell left out

    def back(self, row: list[str], back: str) -> str:
        """The card's back, with the row's notes from other columns; the row's other cells noted as left out."""
        for index, cell in enumerate(row):
            if index not in self.used and cell.strip():
                self.dropped.add(index)
        parts = [back] if back else []
        for index in self.notes:
            note = row[index].strip() if index < len(row) else ""
            if note and note not in parts:
                parts.append(note)
                self.kept.add(index)
        return "\n\n".join(parts)

    def warnings(self, source: str, line: int) -> list[str]:
        """What was done with the columns no field takes, as warnings naming them at the header's line."""
        found = []
        if self.kept:
            found.append(f"{source}:{line}: {self._named(self.kept)} may hold your notes: "
                         f"{'its' if len(self.kept) == 1 else 'their'} cells are added to the backs, after a blank line")
        if self.dropped:
            found.append(f"{source}:{line}: {self._named(self.dropped)} not used: "
                         f"{'its' if len(self.dropped) == 1 else 'their'} cells are in no card")
        return found

    def _named(self, columns: set[int]) -> str:
        shown = [repr(self.names[index]) if index < len(self.names) and self.names[index] else f"column {index + 1}"
                 for index in sorted(columns)]
        if len(shown) > 12:
            shown = [*shown[:12], f"and {len(shown) - 12} more"]
        return f"{'column' if len(columns) == 1 else 'columns'} {', '.join(shown)}"


def find_column(names: list[str], wanted: str, source: str, line: int) -> int:
    """The index of the column a user named (exactly, else ignoring case and spacing), or a clear error."""
    if wanted in names:
        return names.index(wanted)
    keys = [column_key(name) for name in names]
    if column_key(wanted) in keys:
        return keys.index(column_key(wanted))
    shown = ", ".join(repr(name) for name in names[:30]) + (", ..." if len(names) > 30 else "")
    raise FlashcardsError(f"{source}:{line}: no column {wanted!r} (columns: {shown})")


def _guess(keys: list[str], known: tuple[str, ...], taken: int | None) -> int | None:
    for name in known:
        for index, key in enumerate(keys):
            if key == name and index != taken:
                return index
    return None


def _text_columns(names: list[str], rows: list[tuple[int, list[str]]]) -> list[int]:
    """The named columns worth guessing as front or back: those holding more than numbers (ids, counts)."""
    filled = [index for index, name in enumerate(names) if name]
    sample = [row for _, row in rows[:100]]

    def has_text(index: int) -> bool:
        return any(index < len(row) and row[index].strip() and not _NUMBER.fullmatch(row[index].strip())
                   for row in sample)

    texts = [index for index in filled if has_text(index)]
    return texts if len(texts) >= 2 else filled


def _columns(
    names: list[str], filled: list[int], options: ImportOptions, source: str, line: int, result: ImportResult
) -> tuple[int, int | None]:
    """The front and back columns: named by the options, else guessed and reported in a warning."""
    keys = [column_key(name) for name in names]
    guessed = []
    if options.front_col is not None:
        front = find_column(names, options.front_col, source, line)
    else:
        guess = _guess(keys, FRONT_NAMES, None)
        front = guess if guess is not None else filled[0] if filled else 0
        guessed.append(f"front from column {names[front]!r}")
    if options.back_col is not None:
        back: int | None = find_column(names, options.back_col, source, line)
    else:
        back = _guess(keys, BACK_NAMES, front)
        if back is None:
            back = next((index for index in filled if index > front), None)
            if back is None:
                back = next((index for index in filled if index != front), None)
        guessed.append(f"back from column {names[back]!r}" if back is not None else "backs left empty (no other column)")
    if guessed:
        result.warnings.append(f"{source}:{line}: {', '.join(guessed)} (guessed; choose with --front-col / --back-col)")
    return front, back
