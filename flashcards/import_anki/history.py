"""`import-anki`: Anki's answers on our cards merged once into the store, Anki's own notes brought into a deck."""

from __future__ import annotations

import contextlib
import hashlib
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime
from operator import attrgetter
from pathlib import Path

from ..anki.package_in import AnkiCard, AnkiPackage, open_package
from ..anki.scheduling_in import CardRows, LogRows, html_to_text, moment_text
from ..clock import from_ms, to_ms
from ..errors import FlashcardsError
from ..model import Highlight, card_id
from ..settings import Settings
from ..store import Store

MERGE_CHUNK = 50_000  # rows of Anki's review log read and merged at a time
_CARD_ID = attrgetter("card_id")


@dataclass
class AnkiImportReport:
    """What an import did."""

    package: str
    format: str
    notes: int = 0
    ours: int = 0  # notes made by flashcards, recognised by GUID
    from_anki: int = 0  # notes made in Anki
    added_to_deck: int = 0
    already_in_deck: int = 0
    not_brought: int = 0  # Anki's notes left out (no --deck)
    skipped_empty: int = 0
    answers_read: int = 0
    answers_added: int = 0
    answers_already: int = 0
    answers_misdated: int = 0  # rows of Anki's log dated before 2006 or after tomorrow: skipped
    schedules_from_anki: int = 0
    deck: str | None = None
    hints: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def import_anki(store: Store, settings: Settings, path: Path, deck_path: Path | None, now: datetime) -> AnkiImportReport:
    """Merge an Anki package's history into the store; Anki's own notes go to `deck_path` when given."""
    with open_package(path) as package:
        return _import_package(store, settings, package, deck_path, now)


def _import_package(store: Store, settings: Settings, package: AnkiPackage, deck_path: Path | None,
                    now: datetime) -> AnkiImportReport:
    path = package.path
    if package.cards and not package.has_history and deck_path is None:  # nothing to bring: say what would
        raise FlashcardsError(
            f"{path}: holds no review history (no answers, every card new); in Anki, export again with "
            "'Include scheduling information' ticked, or add `--deck FILE.yaml` to bring its notes as new cards"
        )
    report = AnkiImportReport(str(path), package.format, notes=len(package.notes))
    if package.cards and not package.has_history:
        report.hints.append("the package holds no answers (exported without scheduling information): its notes "
                            "are new cards")
    matched, links = _match_notes(store, package, deck_path, report)
    package.notes = []  # their text is in the deck now: the memory goes to the history
    _merge_history(store, settings, package, matched, links, now, report)
    if report.not_brought:
        report.hints.append(f"{report.not_brought} {'note' if report.not_brought == 1 else 'notes'} made in Anki "
                            f"{'was' if report.not_brought == 1 else 'were'} left out; add `--deck FILE.yaml` to "
                            "bring them (with their history) into a deck")
    return report


def _match_notes(store: Store, package: AnkiPackage, deck_path: Path | None,
                 report: AnkiImportReport) -> tuple[list[tuple[str, AnkiCard]], list[tuple[str, str, int | None]]]:
    """(our card id, Anki's card) for each note whose history comes home: ours by GUID, the notes made in Anki
    brought before by the GUID remembered then, and, with --deck, the other notes made in Anki, added to that
    deck first the way `convert` adds cards (appended as text, the deck's own lines kept; under its lock; a deck
    edited meanwhile stops it all). Also the (card id, GUID, note type) links to remember for those."""
    from ..decks.locks import deck_lock

    with deck_lock(deck_path) if deck_path is not None else contextlib.nullcontext():
        ours = {_guid(ident): ident for ident in store.known_card_ids()}
        linked = {guid: ident for ident, (guid, _) in store.anki_note_links().items()}
        state, merger = None, None
        if deck_path is not None:
            from ..decks.deckfile import file_state
            from ..decks.merge import DeckMerger, deck_name_and_ids

            state = file_state(deck_path)
            ids = deck_name_and_ids(deck_path)[1] if state is not None else []
            ours.update((_guid(ident), ident) for ident in ids)
            merger = DeckMerger(existing=set(ids))
        matched, brought, links = _notes_of(package, ours, linked, bring=merger is not None, report=report)
        if merger is not None and deck_path is not None:
            from ..decks.merge import write_new_cards

            merged = merger.add(brought)
            report.added_to_deck = merged.added + merged.merged
            report.already_in_deck += merged.already
            report.deck = str(deck_path)
            write_new_cards(deck_path, merger, state, deck_path.stem)  # a deck that gains nothing is left alone
    return matched, links


def _notes_of(package: AnkiPackage, ours: dict[str, str], linked: dict[str, str], *, bring: bool,
              report: AnkiImportReport) -> tuple[list[tuple[str, AnkiCard]], list[Highlight],
                                                 list[tuple[str, str, int | None]]]:
    """(our card id, Anki's card) per note that is ours, brought before (`linked`: its GUID remembered) or
    (`bring`) made in Anki; those made in Anki and not brought before as highlights (passage, commentary and tags
    as plain text); and the links to remember for them: a note made in Anki stays its card's note, whatever its
    text becomes on either side. A card whose own note (ours) is in the package is not linked to another."""
    first_card = _first_cards(package)
    own_here = {ours[note.guid] for note in package.notes if note.guid in ours}
    taken = set(linked.values())
    matched: list[tuple[str, AnkiCard]] = []
    brought: list[Highlight] = []
    links: list[tuple[str, str, int | None]] = []
    for note in package.notes:
        card = first_card.get(note.id)
        ident = ours.get(note.guid)
        if ident is not None:
            report.ours += 1
        else:
            report.from_anki += 1
            ident = linked.get(note.guid)
            if ident is not None:  # brought before: that card, even if its text changed since
                if bring:
                    report.already_in_deck += 1
            elif not bring:
                report.not_brought += 1
                continue
            else:
                front = html_to_text(note.fields[0]) if note.fields else ""
                if not front:
                    report.skipped_empty += 1
                    continue
                back = html_to_text(note.fields[1]) if len(note.fields) > 1 else ""
                ident = card_id(front)
                brought.append(Highlight(front, back, "", tuple(note.tags)))
                if ident not in own_here and ident not in taken and note.guid != _guid(ident):
                    taken.add(ident)  # (a note whose GUID is the one its card id gives needs no link)
                    links.append((ident, note.guid, note.note_type_id))
        if card is not None:
            matched.append((ident, card))
    return matched, brought, links


def _merge_history(store: Store, settings: Settings, package: AnkiPackage, matched: list[tuple[str, AnkiCard]],
                   links: list[tuple[str, str, int | None]], now: datetime, report: AnkiImportReport) -> None:
    """Anki's answers into the log and Anki's schedule where its answer is the latest, the notes' links, and
    each touched card's reps and lapses recounted from its merged log, in one transaction. Anki's review log is
    read in one pass in time order, MERGE_CHUNK rows at a time, and merged as it is read, so memory does not
    follow its length (what each card's rows so far left is all that is kept: scheduling_in.LogRows). Rows dated
    where no answer can be (before 2006, after tomorrow) are skipped and counted.

    Into an empty log the answers go in bulk (store.bulk_log: its indexes built once, at the end), every one but
    an answer at the very moment of its card's one before, as merging would leave it out; the previous intervals
    of such a card, and of a card two of Anki's notes came home to, are then set from the log."""
    latest = store.latest_answer_times()
    known = set(store.known_card_ids())
    steps = (len(settings.learning_steps_minutes), len(settings.relearning_steps_minutes))
    card_rows = CardRows(package.days_elapsed(now), now, steps, settings.rollover_hour)
    log_rows = LogRows({card.id: ident for ident, card in matched}, to_ms(now))
    rows = []
    with store.transaction() as db:
        store.link_anki_notes(db, links)
        shared = {ident for ident, count in Counter(ident for ident, _ in matched).items() if count > 1}
        bulk = package.revlog_count > 0 and store.log_is_empty(db)
        with store.bulk_log(db) if bulk else contextlib.nullcontext() as log:
            seen: dict[str, set[int]] = {ident: set() for ident in shared}  # (in bulk) their moments so far
            merged: set[str] = set()  # (merging) the cards that gained answers
            for entries in package.revlog_rows(LogRows.COLUMNS, LogRows.WHERE, log_rows.params(), MERGE_CHUNK):
                answers = log_rows.rows(entries, repeats=log is None)
                if log is None:
                    added = store.merge_log_rows(db, answers, refresh=False)
                    if added:
                        report.answers_added += added
                        merged.update(row[0] for row in answers)
                else:
                    log.add(_unseen(answers, seen) if seen else answers)
            report.answers_read = log_rows.taken
        store.refresh_previous_intervals(db, merged)  # (their answers may land amid their histories)
        # counted as the log gives them: in bulk, from the rows themselves (a card some of whose rows were left
        # out, or two notes came home to, from the log); Anki's reps lack the answers given here since the export
        recount: set[str] | None = None
        if log is not None:
            report.answers_added = log.added
            recount = shared | log_rows.repeated
            store.refresh_previous_intervals(db, recount)
        answered: set[str] = set()
        for ident, card in matched:
            last = log_rows.last.get(card.id)
            anki_latest = None if last is None else last[0]
            if last is not None:
                answered.add(ident)
            ours_latest = latest.get(ident)
            newer = anki_latest is not None and (ours_latest is None or anki_latest > ours_latest)
            if newer or (ident not in known and ours_latest is None):
                # (in bulk every card answered is one of these: the log was empty)
                counts = None
                if recount is not None and ident not in recount:  # its one Anki card's
                    counts = (0, 0) if last is None else (last[2], int(last[3]))
                rows.append(card_rows.row(ident, card, from_ms(anki_latest), counts))
        store.write_cards(db, sorted(rows, key=_CARD_ID))  # in the schedule's order: its B-tree grows at one end
        store.recount_answers(db, (answered | {row.card_id for row in rows}) if recount is None else recount)
    report.answers_already = report.answers_read - report.answers_added
    report.schedules_from_anki = len(rows)
    misdated_moments = log_rows.misdated
    if misdated_moments:
        report.answers_misdated = len(misdated_moments)
        earliest, latest_text = moment_text(min(misdated_moments)), moment_text(max(misdated_moments))
        dated = earliest if earliest == latest_text else f"{earliest} to {latest_text}"
        count = len(misdated_moments)
        report.hints.append(f"{count} answer{'' if count == 1 else 's'} in Anki's review log dated {dated} (before "
                            "2006 or after tomorrow, which no answer can be) skipped; the rest of the history came home")
    changed = sorted(answered)
    if changed and report.answers_added:
        from ..scheduling.memory_states import recompute_memory_states  # memory states follow the merged history

        recompute_memory_states(store, settings, changed, now=now)


def _unseen(answers: list[tuple], seen: dict[str, set[int]]) -> list[tuple]:
    """The rows an empty log takes of a card two of Anki's notes came home to (`seen`: its moments so far): one
    per moment, as a merge takes them (Anki's log is keyed by the moment: a shared moment is a damaged log's)."""
    kept = []
    for row in answers:
        moments = seen.get(row[0])
        if moments is not None:
            if row[1] in moments:
                continue
            moments.add(row[1])
        kept.append(row)
    return kept


def _first_cards(package: AnkiPackage) -> dict[int, AnkiCard]:
    first: dict[int, AnkiCard] = {}
    for card in package.cards:  # ordered by note, then template
        first.setdefault(card.note_id, card)
    return first


def _guid(ident: str) -> str:
    """package_out.note_guid(ident) (genanki.guid_for("flashcards", ident): the first 8 bytes of a SHA-256 in
    Anki's base 91), reckoned with int.from_bytes and divmod: it runs for every note of a package and every card
    of the store (tests/test_anki_import.py holds the two equal)."""
    value = int.from_bytes(hashlib.sha256(f"flashcards__{ident}".encode()).digest()[:8], "big")
    digits = []
    while value > 0:
        value, digit = divmod(value, 91)
        digits.append(_BASE91[digit])
    return "".join(reversed(digits))


_BASE91 = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&()*+,-./:;<=>?@[]^_`{|}~"


__all__ = ["AnkiImportReport", "import_anki"]
