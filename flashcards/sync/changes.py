"""A sync reads only what changed since the last one: the mark each sync leaves, and what the next finds changed.

After every real sync of a set of decks with a collection, the store keeps a mark (`sync_marks`, one per set of
deck files and collection) taken inside the same transaction as the store's writes, once Anki's are committed:

- the store's side: its log's largest id and a digest of the rows up to it; each card as agreed (`sync_cards`: its
  schedule row, its deck file, its note's GUID, Anki note and card ids, a fingerprint of its note as written);
- the decks' side: a fingerprint of each deck file's cards (ids, text, tags, the Anki deck name, the GUIDs of
  notes made in Anki), the settings, the parent deck and the time zone;
- Anki's side (anki/live_changes.CollectionMark): the file's identity, `crt`, `scm`, `usn`, the second the mark
  was taken, the review log's largest id and digests, a digest of our note type's notes, and digests of the rows
  stamped in that second (`sync_edge`);
- what depends on the day: our study day, Anki's day cutoff, the moment past which Anki's log rows were dated
  too far ahead to be answers.

The next sync then reads, besides those checks, only the cards changed on either side: answers logged after the
mark, schedule rows that differ from the mark's, deck files whose fingerprint changed (and of those only the
cards whose note changed), Anki cards, notes and log rows newer than the mark, and the few cards whose plan
depends on the day (a burial that may have ended, a learning card whose due passed Anki's day cutoff). Each such
card is planned as the full plan plans it (plan.py's _Planner: both whole logs, its Anki card, one schedule
replayed from the merged history). With nothing changed anywhere, nothing is read past the checks, and nothing
is written (the mark stays).

Anything the mark cannot vouch for falls back to the full plan, which stays the reference: no mark, another mark
version, other settings, parent, time zone or links to notes made in Anki, a collection replaced or fully synced
other than by sending up what the last sync left (see live_changes), Anki's days numbered otherwise, a log row of the store removed, a card in two decks, or
more than half of a large deck set changed (reading it all is as quick then).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

from ..anki.live_changes import CollectionMark, changes_since, notes_as_they_are, take_mark
from ..anki.live_model import AnkiDays, WriteResult
from ..anki.live_read import note_cards
from ..anki.note_type import MODEL_ID
from ..anki.package_out import anki_deck_names, note_guid
from ..anki.scheduling_in import AHEAD_MS
from ..clock import day_number, to_ms
from ..decks.open_decks import OpenDeck
from ..model import Card
from ..settings import Settings
from ..store import Store
from ..store.sync_state import ShadowCard
from .notes import card_guid

VERSION = 2
REFERENCE = datetime(2020, 1, 1, 12, tzinfo=UTC)  # a fixed moment: its Anki study day shows how Anki numbers days
FULL_SHARE = 0.5  # more of the cards changed than this share: the full plan reads as much
FULL_MIN = 2000  # ... when the decks hold at least this many cards (smaller sets are quick either way)
CHUNK = 2000  # shadow rows filled in and written at a time
AnkiIds = tuple[int, int]  # (note id, card id) in Anki


@dataclass
class Context:
    """What a plan depends on besides the rows of both sides, cheap to compute at every sync."""

    collection: str  # the collection file's full path
    decks: str  # the deck files' store keys, sorted, as JSON: one mark per set of decks and collection
    names: list[str]  # each deck's Anki deck name (anki_deck_names)
    prints: dict[str, str]  # deck key -> fingerprint of its cards as notes
    settings: str
    tz: str
    parent: str | None
    links: dict[str, str]  # card id -> GUID, for the decks' cards that came from notes made in Anki


@dataclass
class MarkDraft:
    """What a plan leaves to record once both sides are written (record_mark)."""

    context: Context
    full: bool  # the full plan: the mark is made anew
    shadow: dict[str, ShadowCard] | FullShadow = field(default_factory=dict)  # card id -> as agreed
    gone: set[str] = field(default_factory=set)  # cards no longer in the decks
    their: dict[str, AnkiIds] = field(default_factory=dict)  # GUID -> ids of the notes made in Anki, kept
    left: list[str] = field(default_factory=list)  # the plan's left_in_anki
    today: int = 0
    cutoff: int = 0
    horizon: int = 0
    days: list[int] = field(default_factory=list)
    unchanged: bool = False  # nothing changed on either side since the mark: it stays as it is


@dataclass
class Changes:
    """The cards an incremental plan plans (`planned`) and whose notes it compares (`noted`, a subset)."""

    planned: set[str]
    noted: set[str]
    guids: dict[str, str]  # card id -> note GUID, for the planned cards
    anki_ids: dict[str, AnkiIds]  # GUID -> Anki ids, for those of the planned cards Anki has
    draft: MarkDraft


def collection_key(col: Any) -> str:
    """How a collection is remembered: its file's full path."""
    return str(Path(col.path).resolve())


def decks_key(decks: Sequence[OpenDeck]) -> str:
    return json.dumps(sorted(deck.key for deck in decks), ensure_ascii=False)


def _hash(*parts: str) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(part.encode("utf-8"))
        digest.update(b"\x1e")
    return digest.hexdigest()


def deck_print(deck: OpenDeck, name: str, links: Mapping[str, str]) -> str:
    """A fingerprint of everything a deck gives its notes: its cards' ids, text and tags, in order, its tags, its
    Anki deck name and the GUIDs of its cards' notes made in Anki."""
    digest = hashlib.blake2b(digest_size=16)
    for part in (deck.key, name, *deck.tags):
        digest.update(part.encode("utf-8"))
        digest.update(b"\x1e")
    update = digest.update
    for card in deck.cards:
        for text in (card.id, card.front, card.back, card.source, *card.tags, links.get(card.id, "")):
            update(text.encode("utf-8"))
            update(b"\x1f")
        update(b"\x1e")
    return digest.hexdigest()


def note_print(guid: str, name: str, deck_tags: Sequence[str], card: Card) -> str:
    """A fingerprint of one card's note as written: equal, the note needs no compare with Anki's."""
    return _hash(guid, name, "\x1f".join(deck_tags), card.front, card.back, card.source, "\x1f".join(card.tags))


def sync_context(store: Store, col: Any, decks: Sequence[OpenDeck], settings: Settings, parent: str | None,
                 tz: tzinfo | None) -> Context:
    names = anki_deck_names(decks, parent)
    ids = {card.id for deck in decks for card in deck.cards}
    links = {card_id: guid for card_id, (guid, _) in store.anki_note_links().items() if card_id in ids}
    return Context(
        collection=collection_key(col), decks=decks_key(decks), names=names,
        prints={deck.key: deck_print(deck, name, links) for deck, name in zip(decks, names, strict=True)},
        settings=_hash(json.dumps(asdict(settings), sort_keys=True, default=str)),
        tz=f"{tz!r}|{time.tzname}|{time.timezone}|{time.altzone}", parent=parent, links=links)


def _days(days: AnkiDays) -> list[int]:
    return [days.rollover, days.day_of(REFERENCE)]


def _draft(context: Context, full: bool, settings: Settings, days: AnkiDays, now: datetime,
           tz: tzinfo | None) -> MarkDraft:
    return MarkDraft(context, full, today=day_number(now, settings.rollover_hour, tz), cutoff=days.cutoff,
                     horizon=to_ms(now) + AHEAD_MS, days=_days(days))


class FullShadow:
    """Every card of the decks as a full plan leaves it, each made as record_mark writes it: a first sync's 300,000
    ShadowCards held through its whole write would be ~80 MB."""

    def __init__(self, decks: Sequence[OpenDeck], context: Context, anki_ids: Mapping[str, AnkiIds]) -> None:
        self.decks, self.context, self.anki_ids = decks, context, anki_ids

    def items(self) -> Iterator[tuple[str, ShadowCard]]:
        links, anki_ids = self.context.links, self.anki_ids
        for deck, name in zip(self.decks, self.context.names, strict=True):
            deck_tags = list(deck.tags)
            for card in deck.cards:
                guid = card_guid(card.id, links)
                note_id, anki_card_id = anki_ids.get(guid, (None, None))
                yield card.id, ShadowCard(deck.key, guid, note_id, anki_card_id, note_print(guid, name, deck_tags, card))


def full_draft(context: Context, decks: Sequence[OpenDeck], settings: Settings, days: AnkiDays, now: datetime,
               tz: tzinfo | None, anki_ids: Mapping[str, AnkiIds], their: Mapping[str, AnkiIds],
               left: list[str]) -> MarkDraft:
    """The mark a full plan leaves: every card of the decks."""
    draft = _draft(context, True, settings, days, now, tz)
    draft.shadow = FullShadow(decks, context, anki_ids)
    draft.their = dict(their)
    draft.left = list(left)
    return draft


def find_changes(store: Store, col: Any, decks: Sequence[OpenDeck], context: Context, settings: Settings,
                 days: AnkiDays, now: datetime, tz: tzinfo | None) -> Changes | str:
    """What changed on either side since the last sync of these decks with this collection, or why the full plan
    must be made (no mark, or one that cannot vouch for what it says: see the module's docstring)."""
    found = store.sync_mark(context.collection, context.decks)
    if found is None:
        return "a first sync of these decks with this collection"
    mark_id, text = found
    state = json.loads(text)
    if state.get("version") != VERSION:
        return "a mark of another version"
    if [state["settings"], state["tz"], state["parent"]] != [context.settings, context.tz, context.parent]:
        return "other settings, time zone or parent deck"
    if [state["names"], state["links"], state["days"]] != [context.names, context.links, _days(days)]:
        return "other deck names, notes made in Anki, or Anki's days"
    anki_mark = CollectionMark.from_dict({**state["anki"], "edge": store.edge_digests(mark_id)})
    touched = changes_since(col, anki_mark, context.names, state["horizon"])
    if isinstance(touched, str):
        return touched
    their = {guid: (ids[0], ids[1]) for guid, ids in state["their"].items()}
    if their and notes_as_they_are(col, [note_id for note_id, _ in their.values()]) != {
            note_id: (guid, card_id) for guid, (note_id, card_id) in their.items()}:
        return "a note made in Anki changed its place"
    log_max, log_digest = state["log"]
    if store.log_digest(log_max) != log_digest:
        return "a synced answer was removed here (an undo)"
    where: dict[str, int] = {}  # card id -> its deck's index
    for index, deck in enumerate(decks):
        for card in deck.cards:
            if card.id in where:
                return "a card in two decks"  # the full plan says so
            where[card.id] = index
    draft = _draft(context, False, settings, days, now, tz)
    draft.their = their

    # the store's side
    planned = store.cards_answered_after(log_max) | store.shadow_changed(mark_id)
    if draft.today != state["today"]:  # a burial may have ended
        planned |= store.agreed_buried() | store.buried_through(state["today"])
    if draft.cutoff != state["cutoff"]:  # a learning card Anki kept by day may now be due within its day
        planned |= store.learning_due_from(state["cutoff"] * 1000)
    planned &= where.keys()

    # the decks' side: the cards of changed deck files, compared with the mark's one by one
    shadow: dict[str, ShadowCard] = {}
    noted: set[str] = set()
    new: set[str] = set()
    changed = [index for index, deck in enumerate(decks) if state["prints"].get(deck.key) != context.prints[deck.key]]
    if changed:
        before = store.shadow_cards_in(mark_id, [decks[index].key for index in changed])
        draft.gone = {card_id for card_id in before if card_id not in where}
        arrived = [card.id for index in changed for card in decks[index].cards if card.id not in before]
        before.update(store.shadow_cards(mark_id, arrived))
        for index in changed:
            deck, name = decks[index], context.names[index]
            for card in deck.cards:
                old = before.get(card.id)  # the links are the mark's: a card the mark has keeps its GUID
                guid = context.links.get(card.id) or (old.guid if old is not None else note_guid(card.id))
                fingerprint = note_print(guid, name, deck.tags, card)
                if old is None or old.guid != guid:
                    new.add(card.id)
                    shadow[card.id] = ShadowCard(deck.key, guid, None, None, fingerprint)
                    continue
                if old.note != fingerprint or old.deck != deck.key:
                    noted.add(card.id)
                shadow[card.id] = old._replace(deck=deck.key, note=fingerprint)

    # Anki's side: our notes' cards changed there (a note edited, an answer, a flag, a move to another deck)
    ours = {anki_id: row for anki_id, row in touched.cards.items() if row[2] == MODEL_ID or row[1] in their}
    by_anki = store.shadow_of_anki_cards(mark_id, list(ours))
    targets = [anki_mark.decks.get(name) for name in context.names]
    for anki_id, card_id in by_anki.items():
        if card_id not in where or card_id in new:
            continue
        planned.add(card_id)
        note_id, _, _, home = ours[anki_id]
        if note_id in touched.notes or home != targets[where[card_id]]:
            noted.add(card_id)
    noted |= new  # a card new to the mark: its note is added, or compared with the one Anki has
    planned |= noted
    if len(where) >= FULL_MIN and len(planned) > FULL_SHARE * len(where):
        return "most cards changed"

    shadow.update(store.shadow_cards(mark_id, [card_id for card_id in planned if card_id not in shadow]))
    agreed = draft.shadow = {card_id: shadow[card_id] for card_id in planned}
    if new:  # Anki may have their notes already (a card back in a deck, an earlier export imported)
        have = note_cards(col, [shadow[card_id].guid for card_id in new])
        for card_id in new:
            if shadow[card_id].guid in have:
                note_id, anki_card_id = have[shadow[card_id].guid]
                agreed[card_id] = shadow[card_id]._replace(note_id=note_id, anki_card_id=anki_card_id)
    anki_ids = {row.guid: (row.note_id, row.anki_card_id) for row in agreed.values()
                if row.note_id is not None and row.anki_card_id is not None}
    synced = {deck_id for deck_id in targets if deck_id is not None}
    draft.left = _left_in_anki(col, state["left"], draft, ours, by_anki, where, synced, mark_id, store,
                               changed=bool(changed))
    draft.unchanged = not (planned or changed or draft.gone or touched.cards or touched.notes)
    return Changes(planned, noted, {card_id: row.guid for card_id, row in agreed.items()}, anki_ids, draft)


def _left_in_anki(col: Any, before: list[str], draft: MarkDraft, ours: Mapping[int, tuple[int, str, int, int]],
                  by_anki: Mapping[int, str], where: Mapping[str, int], synced: set[int], mark_id: int, store: Store,
                  changed: bool) -> list[str]:
    """The notes of ours in the synced Anki decks that are not in the decks (the full plan's left_in_anki), from the
    mark's: the cards that left the decks, came into them, or moved in Anki are looked at again."""
    if not (changed or ours):
        return before
    left = set(before)
    planned = {row.guid for _, row in draft.shadow.items()}  # the changed cards: in the decks
    left -= planned
    gone = store.shadow_cards(mark_id, sorted(draft.gone)) if draft.gone else {}
    homes = _homes(col, [row.anki_card_id for row in gone.values() if row.anki_card_id is not None])
    for row in gone.values():
        if homes.get(row.anki_card_id) in synced:
            left.add(row.guid)
    for anki_id, (_, guid, note_type, home) in ours.items():
        if note_type != MODEL_ID:
            continue
        mine = anki_id in by_anki and by_anki[anki_id] in where
        if mine or guid in planned:
            left.discard(guid)
        elif home in synced:
            left.add(guid)
        else:
            left.discard(guid)
    return sorted(left)


def _homes(col: Any, card_ids: list[int]) -> dict[int | None, int]:
    found: dict[int | None, int] = {}
    for start in range(0, len(card_ids), 500):
        chunk = card_ids[start : start + 500]
        found.update(col.db.all(f"select id, case when odid != 0 then odid else did end from cards where id in "
                                f"({','.join('?' * len(chunk))})", *chunk))
    return found


def _with_anki_ids(col: Any, rows: Iterable[tuple[str, ShadowCard]],
                   written: WriteResult) -> Iterator[tuple[str, ShadowCard]]:
    """The rows, with Anki's note and card ids filled in where the plan had none or the write added the note: from
    the notes the write went through, else read from the collection, CHUNK rows at a time."""
    added = set(written.notes_added)
    chunk: list[tuple[str, ShadowCard]] = []

    def filled() -> Iterator[tuple[str, ShadowCard]]:
        unread = [row.guid for _, row in chunk if (row.note_id is None or row.guid in added)
                  and row.guid not in written.note_ids]
        have = note_cards(col, unread) if unread else {}
        for card_id, row in chunk:
            if row.note_id is None or row.guid in added:
                ids = written.note_ids.get(row.guid) or have.get(row.guid)
                if ids is not None:
                    row = row._replace(note_id=ids[0], anki_card_id=ids[1])  # noqa: PLW2901
            yield card_id, row

    for item in rows:
        chunk.append(item)
        if len(chunk) == CHUNK:
            yield from filled()
            chunk = []
    yield from filled()


def record_mark(store: Store, db: Any, col: Any, draft: MarkDraft | None, written: WriteResult) -> None:
    """Inside the store's transaction, once Anki's write is committed: the mark of both sides as they are now."""
    if draft is None or draft.unchanged:
        return
    anki = take_mark(col, draft.context.names, int(time.time()))
    edge = anki.edge
    state = {
        "version": VERSION, "settings": draft.context.settings, "tz": draft.context.tz,
        "parent": draft.context.parent, "names": draft.context.names, "links": draft.context.links,
        "prints": draft.context.prints, "days": draft.days, "today": draft.today, "cutoff": draft.cutoff,
        "horizon": draft.horizon, "their": {guid: list(ids) for guid, ids in draft.their.items()},
        "left": draft.left, "log": list(store.log_mark()), "anki": {**anki.to_dict(), "edge": {}},
    }
    mark_id = store.save_sync_mark(db, draft.context.collection, draft.context.decks,
                                   json.dumps(state, ensure_ascii=False))
    store.write_shadow(db, mark_id, _with_anki_ids(col, draft.shadow.items(), written), draft.gone,
                       everything=draft.full)
    store.write_edge_digests(db, mark_id, edge)
