"""Everything a sync will write, computed before anything is written: notes, answers each way, one schedule.

One memory: a card whose merged history gained answers from Anki is replayed from its first answer through our
scheduler (FSRS through fsrs-rs with its deck's settings, study days, steps and fuzz, as `review` does), so
the latest answer decides its state, due date and memory state; a card that only gained answers from the store
already has that schedule in the store. When the latest answer is Anki's, Anki's due day (its load balancer's
choice) stands; when it is ours, its day is chosen by our load balancer as `review` chose it. The result is
written to both sides. Changes Anki made without an answer (set due date, forget) give way to the merged history.

Notes made in Anki: a card that `import-anki --deck` brought from a note the person made in Anki is synced as
that note (its GUID remembered in the store): its answers and schedule go both ways as for any card, but the note
itself, of the person's own note type, is theirs: its fields, tags and deck are left as they are (the card's
text here is a plain-text reading of its HTML, which writing back would flatten). Only when Anki lacks the note
is it added, as export writes it (our note type, under that GUID).

Answer counts: a card's reps and lapses are what its merged log says (every answer a rep; Again on a card in
review a lapse), on both sides, whatever either side counted before.

Answers dated before 2006 or more than a day ahead (anki/scheduling_in.misdated) are not answers; they are left
in Anki's log and never come home, as import-anki skips them.

Suspended and buried: the store remembers what both sides agreed at the last sync (`sync_flags`). A side whose
flag differs from that has changed it since, and its change wins; at a first sync a card suspended (buried) on
either side is suspended (buried) on both. A buried card stays buried through today's study day on both sides.

Only what changed: after a sync, the next one plans only the cards changed on either side since (changes.py finds
them from the mark the last sync left); each is planned exactly as here. The full plan, of every card, is made at
a first sync and whenever the mark cannot vouch for what changed, and stays the reference (the incremental plan's
writes are the full plan's: tests/test_sync_incremental.py).
"""

from __future__ import annotations

from array import array
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, tzinfo
from typing import Any, overload

from ..anki.live_model import STATES, AnkiCard, AnkiDays, AnkiReview, NoteWrite, ReviewBatch, ReviewWrite, ScheduleWrite
from ..anki.live_read import anki_card, existing_review_ids, our_guids_in_decks, our_notes, read_reviews, their_notes
from ..anki.package_out import anki_deck_names
from ..anki.scheduling_in import misdated
from ..clock import day_number, from_ms, later_by, to_ms
from ..decks.open_decks import OpenDeck
from ..model import CardRow, LoggedAnswer, Rating, Schedule, State
from ..scheduling.memory_states import card_presets
from ..scheduling.scheduler import FSRSScheduler
from ..settings import Settings
from ..store import Store
from ..store.day_load import StoreLoad, preset_loads
from .answers import is_answer, match, review_write, state_before
from .changes import AnkiIds, Changes, MarkDraft, find_changes, full_draft, sync_context
from .columns import FlagColumns, ScheduleColumns
from .notes import DeckNotes, card_guids, deck_tags, note_write
from .revlog_ids import free_ids

_DAY = timedelta(days=1)
CHUNK = 2000  # cards read from both sides at a time
Moment = tuple[int, int, int]  # one of our answers: (log id, answered at in ms UTC, rating)


@dataclass
class SyncPlan:
    """The writes of one sync, per side, and what to report."""

    notes: Sequence[NoteWrite] = ()  # to Anki (the full plan's made from the decks as they are written)
    reviews: Sequence[ReviewWrite] = ()  # to Anki (made from the store's log as they are written)
    schedules: ScheduleColumns = field(default_factory=ScheduleColumns)  # to Anki
    store_rows: list[CardRow] = field(default_factory=list)  # schedule rows that change in the store
    store_answers: list[LoggedAnswer] = field(default_factory=list)  # Anki's answers the store lacks
    flags: FlagColumns = field(default_factory=FlagColumns)  # (card, suspended, buried) agreed now
    card_of: dict[str, str] = field(default_factory=dict)  # GUID -> our card id
    left_in_anki: list[str] = field(default_factory=list)  # GUIDs in the synced Anki decks, gone from ours
    their_notes: list[str] = field(default_factory=list)  # GUIDs of notes made in Anki our cards came from (kept)
    misdated: int = 0  # rows of Anki's log on these cards dated where no answer can be: left out
    anki_ids: dict[str, AnkiIds] | None = None  # GUID -> Anki's (note id, card id) of the planned cards it has
    mark: MarkDraft | None = None  # what to remember once written (changes.record_mark)
    incremental: bool = False  # only the cards changed since the last sync were planned
    why_full: str | None = None  # else why every card was

    def release_writes(self) -> None:
        """Let go of the answers and schedules written to Anki (the report needs neither)."""
        self.reviews = ()
        self.schedules = ScheduleColumns()

    @property
    def store_changes(self) -> bool:
        return bool(self.store_rows or self.store_answers or self.flags)


def left_in_anki(col: Any, deck_names: list[str], guids: set[str]) -> list[str]:
    """GUIDs of our notes in the synced Anki decks that are no longer in our decks (left in Anki)."""
    return sorted(our_guids_in_decks(col, deck_names) - guids)


def plan_sync(store: Store, col: Any, decks: list[OpenDeck], settings: Settings, *, parent: str | None = None,
              now: datetime, tz: tzinfo | None = None, full: bool = False) -> SyncPlan:
    """Read both sides and work out every write (nothing is written here): of the cards changed since the last
    sync (changes.py), or of every card (`full`, or when the last sync's mark cannot tell). Cards are read `CHUNK`
    at a time from both sides, so memory follows the writes, not the size of the two review logs."""
    context = sync_context(store, col, decks, settings, parent, tz)
    days = AnkiDays(col)
    changes = "asked for" if full else find_changes(store, col, decks, context, settings, days, now, tz)
    if not isinstance(changes, str):
        return _changed_plan(store, col, decks, settings, changes, now, tz, days)
    plan = full_plan(store, col, decks, settings, parent=parent, now=now, tz=tz, days=days)
    plan.why_full = changes
    plan.mark = full_draft(context, decks, settings, days, now, tz, plan.anki_ids or {},
                           {guid: plan.anki_ids[guid] for guid in plan.their_notes} if plan.anki_ids else {},
                           plan.left_in_anki)
    return plan


def full_plan(store: Store, col: Any, decks: list[OpenDeck], settings: Settings, *, parent: str | None = None,
              now: datetime, tz: tzinfo | None = None, days: AnkiDays | None = None) -> SyncPlan:
    """The plan of every card of the decks: the reference the plan of changed cards is held to."""
    plan = SyncPlan()
    links = store.anki_note_links([card.id for deck in decks for card in deck.cards])
    guid_links = {card_id: guid for card_id, (guid, _) in links.items()}
    plan.card_of = card_guids(decks, guid_links)
    theirs = their_notes(col, [guid for guid, _ in links.values()])  # the person's notes, left as they are
    names = anki_deck_names(decks, parent)
    plan.notes = DeckNotes(decks, names, guid_links, theirs.keys(), len(plan.card_of) - len(theirs))
    plan.their_notes = sorted(theirs)
    plan.left_in_anki = left_in_anki(col, names, set(plan.card_of))
    agreed = store.synced_flags(list(plan.card_of.values()))
    known = our_notes(col) | theirs  # ours by note type, and the person's notes our cards came from
    planner = _Planner(store, col, settings, now, tz, plan, None, agreed, known, days or AnkiDays(col))
    items = list(plan.card_of.items())
    for start in range(0, len(items), CHUNK):
        planner.chunk(dict(items[start : start + CHUNK]))
    plan.reviews = _to_anki(store, col, planner.outgoing)
    plan.anki_ids = known
    return plan


def _changed_plan(store: Store, col: Any, decks: list[OpenDeck], settings: Settings, changes: Changes,
                  now: datetime, tz: tzinfo | None, days: AnkiDays) -> SyncPlan:
    """The plan of the cards changed since the last sync (changes.find_changes), each planned as full_plan plans
    it, in deck order as there (new notes are added, and their cards placed, in the same order)."""
    draft = changes.draft
    plan = SyncPlan(mark=draft, incremental=True, anki_ids=changes.anki_ids)
    plan.their_notes = sorted(draft.their)
    plan.left_in_anki = draft.left
    order = [(index, card) for index, deck in enumerate(decks) for card in deck.cards if card.id in changes.planned]
    tags = [deck_tags(deck) for deck in decks]
    notes = []
    for index, card in order:
        guid = changes.guids[card.id]
        plan.card_of[guid] = card.id
        if card.id in changes.noted and guid not in draft.their:
            notes.append(note_write(guid, card, draft.context.names[index], tags[index]))
    plan.notes = notes
    ids = [card.id for _, card in order]
    rows = store.card_rows_of(ids)
    agreed = store.synced_flags(ids)
    planner = _Planner(store, col, settings, now, tz, plan, rows, agreed, changes.anki_ids, days)
    items = list(plan.card_of.items())
    for start in range(0, len(items), CHUNK):
        planner.chunk(dict(items[start : start + CHUNK]))
    plan.reviews = _to_anki(store, col, planner.outgoing)
    return plan




class _Planner:
    """The per-card decisions of plan_sync, made a chunk of cards at a time."""

    def __init__(self, store: Store, col: Any, settings: Settings, now: datetime, tz: tzinfo | None, plan: SyncPlan,
                 rows: dict[str, CardRow] | None, agreed: dict[str, tuple[bool, bool]], notes: Mapping[str, AnkiIds],
                 days: AnkiDays) -> None:
        self.store, self.col, self.settings, self.plan = store, col, settings, plan
        self.now_ms = to_ms(now)
        self.rows = rows  # the cards' schedule rows (None: read a chunk at a time)
        self.agreed = agreed  # their flags as the last sync agreed
        self.tz = tz
        self.today = day_number(now, settings.rollover_hour, tz)
        self.presets = card_presets(store, settings)  # card -> the deck with settings of its own it follows
        self.loads = preset_loads(store, store.deck_keys_named(settings.decks), settings.rollover_hour, tz)
        self.presets_made: dict[str | None, _Preset] = {}
        self.outgoing = Outgoing()
        self.notes = notes  # GUID -> Anki ids: ours by note type, and the person's notes our cards came from
        self.days = days

    def preset(self, card_id: str) -> _Preset:
        """The settings and schedulers of the card's deck (its own, or the store's)."""
        name = self.presets.get(card_id)
        made = self.presets_made.get(name)
        if made is None:
            made = self.presets_made[name] = _Preset.of(self.settings.for_deck(name), self.tz, self.loads[name])
        return made

    def chunk(self, card_of: dict[str, str]) -> None:
        rows = self.rows if self.rows is not None else self.store.card_rows_of(list(card_of.values()))
        have = {guid: anki_card(self.col, guid, *self.notes[guid], self.days) for guid in card_of if guid in self.notes}
        guid_of_anki = {card.card_id: guid for guid, card in have.items()}
        theirs: dict[str, list[AnkiReview]] = defaultdict(list)
        for review in read_reviews(self.col, guid_of_anki):
            if not is_answer(review):
                continue
            if misdated(review.id, self.now_ms):
                self.plan.misdated += 1
                continue
            theirs[card_of[guid_of_anki[review.card_id]]].append(review)
        ours: dict[str, list[Moment]] = defaultdict(list)
        for log_id, card_id, at_ms, rating in self.store.answer_moments_of(list(card_of.values())):
            ours[card_id].append((log_id, at_ms, rating))
        counts = self.store.answer_counts_of(card_of.values())
        for guid, card_id in card_of.items():
            self.card(guid, card_id, rows.get(card_id), have.get(guid), ours.get(card_id, []),
                      theirs.get(card_id, []), counts.get(card_id, (0, 0)))

    def card(self, guid: str, card_id: str, row: CardRow | None, anki: AnkiCard | None, mine: list[Moment], other: list[AnkiReview],
             counts: tuple[int, int]) -> None:
        plan, today = self.plan, self.today
        row = row or CardRow(card_id, Schedule())
        only_mine, only_other = match([at_ms for _, at_ms, _ in mine], [r.id for r in other])
        for i in only_mine:
            self.outgoing.add(guid, mine[i][0], mine[i][1], mine[i - 1][0] if i else None)
        schedule = row.schedule
        added: list[LoggedAnswer] = []
        preset = self.preset(card_id)
        interval = None
        if only_other:
            schedule, added, theirs_last = replay(preset.scheduler, card_id, mine, other, set(only_other),
                                                  preset.balanced)
            plan.store_answers += added
            if theirs_last and anki is not None:
                schedule, interval = anki_day_stands(schedule, anki, self.tz)
        # the counts are the merged log's: the store's answers and those coming home (a count either side kept,
        # such as Anki's reps taken by an import, may lack the other side's answers)
        reps, lapses = counts
        reps += len(added)
        lapses += sum(answer.rating == Rating.AGAIN and answer.state_before == State.REVIEW for answer in added)
        schedule = replace(schedule, reps=reps, lapses=lapses)
        agreed = self.agreed.get(card_id)
        suspended, buried = merged_flags(row, anki, agreed, today)
        new_row = replace(row, schedule=schedule, suspended=suspended, buried_until=_buried_until(row, buried, today))
        if new_row != row:
            plan.store_rows.append(new_row)
        if agreed != (suspended, buried):
            plan.flags.append((card_id, suspended, buried))
        plan.schedules.append(schedule_write(guid, schedule, suspended, buried, anki, preset.settings, preset.decay,
                                             interval))


@dataclass(frozen=True)
class _Preset:
    """What the cards of one set of settings (a deck's own, or the store's) are planned with."""

    settings: Settings
    scheduler: FSRSScheduler  # plain fuzz: the answers before the latest
    balanced: FSRSScheduler  # the latest answer, ours: its day chosen by the load balancer, as `review` did
    decay: float | None

    @classmethod
    def of(cls, settings: Settings, tz: tzinfo | None, load: StoreLoad) -> _Preset:
        scheduler = FSRSScheduler.from_settings(settings, tz)
        parameters = scheduler.parameters
        return cls(settings, scheduler, scheduler.with_load(load), parameters[20] if len(parameters) > 20 else None)


def replay(scheduler: FSRSScheduler, card_id: str, mine: list[Moment], other: list[AnkiReview],
           incoming: set[int], balanced: FSRSScheduler | None = None) -> tuple[Schedule, list[LoggedAnswer], bool]:
    """The card's schedule after its merged history (ours and Anki's new answers, in time order), Anki's new
    answers as rows of our log, each with the state it left, and whether the latest answer is Anki's. `balanced`
    schedules the latest answer when it is ours (its day as our load balancer chose it)."""
    merged: list[tuple[int, int, AnkiReview | None]] = [(at_ms, rating, None) for _, at_ms, rating in mine]
    merged += [(other[i].id, other[i].ease, other[i]) for i in incoming]
    merged.sort(key=lambda item: item[0])
    schedule = Schedule()
    added: list[LoggedAnswer] = []
    for index, (at_ms, rating, review) in enumerate(merged):
        at = from_ms(at_ms)
        last_of_ours = review is None and balanced is not None and index == len(merged) - 1
        after = (balanced if last_of_ours else scheduler).review(card_id, schedule, Rating(rating), at)  # type: ignore[union-attr]
        if review is not None:
            added.append(LoggedAnswer(0, card_id, at, rating, max(review.taken_ms, 0),
                                      state_before(review, schedule.state), after.state, after.due,
                                      after.stability, after.difficulty))
        schedule = after
    return schedule, added, bool(merged) and merged[-1][2] is not None


def anki_day_stands(schedule: Schedule, anki: AnkiCard, tz: tzinfo | None) -> tuple[Schedule, int | None]:
    """The replayed schedule with Anki's due (its load balancer's day, its learning step's moment) when Anki's
    card is in the state the replay reached, and the interval to write (Anki's, for a review card)."""
    if anki.due is None or anki.state != STATES[schedule.state] or schedule.last_review is None:
        return schedule, None
    if schedule.state == State.REVIEW:
        # its last answer plus Anki's interval: the same study day as Anki's due, the same interval written back
        due = later_by(schedule.last_review, anki.interval_days * _DAY, tz)
        return replace(schedule, due=due), anki.interval_days
    return replace(schedule, due=anki.due), None


def merged_flags(row: CardRow, anki: AnkiCard | None, agreed: tuple[bool, bool] | None,
                 today: int) -> tuple[bool, bool]:
    """(suspended, buried) after the sync: a side that changed a flag since the last sync wins; at the
    first sync, either side's flag counts."""
    store_flags = (row.suspended, row.buried_until is not None and row.buried_until >= today)
    anki_flags = (anki.suspended, anki.buried) if anki is not None else store_flags
    if agreed is None:
        return store_flags[0] or anki_flags[0], store_flags[1] or anki_flags[1]
    return tuple(mine if mine != last else theirs  # type: ignore[return-value]
                 for mine, theirs, last in zip(store_flags, anki_flags, agreed, strict=True))


def _buried_until(row: CardRow, buried: bool, today: int) -> int | None:
    active = row.buried_until is not None and row.buried_until >= today
    if buried:
        return row.buried_until if active else today
    return None if active else row.buried_until


def schedule_write(guid: str, schedule: Schedule, suspended: bool, buried: bool, anki: AnkiCard | None,
                   settings: Settings, decay: float | None, interval: int | None = None) -> ScheduleWrite:
    """The card's schedule in Anki's terms (interval in days from the last answer to the due date, unless given)."""
    if schedule.state == State.NEW:
        return ScheduleWrite(guid, "new", None, 0, 0, 0, suspended=suspended, buried=buried)
    if interval is None:
        interval = 0
        if schedule.state == State.REVIEW and schedule.due and schedule.last_review:
            interval = max(1, round((schedule.due - schedule.last_review) / _DAY))
        elif schedule.state == State.RELEARNING:
            interval = anki.interval_days if anki is not None and anki.state == "relearning" else 1
    state = STATES[int(schedule.state)]
    return ScheduleWrite(guid, state, schedule.due, interval, schedule.reps, schedule.lapses, schedule.stability,
                         schedule.difficulty, settings.desired_retention, schedule.last_review, suspended, buried, decay)


class Outgoing:
    """Our answers Anki lacks, as columns: a first sync of a long history sends millions of them."""

    NONE = -1  # no previous answer (log ids are positive)
    _FIRST, _AFTER_SENT, _OTHER = 0, 1, 2  # the answer before: none, the one sent before it, `_previous_other`

    def __init__(self) -> None:
        self.notes: list[str] = []  # the GUIDs of the cards answers are sent for, in order
        self.note = array("i")  # each answer's note, as its index in `notes` (4 bytes an answer)
        self.log_ids = array("q")
        self.at_ms: array | None = array("q")  # until the revlog ids are chosen (_to_anki)
        # the card's answer before each (its log id): at a first sync it is the answer sent just before, so a byte
        # an answer says which, and only the others are kept by number
        self._before = array("b")
        self._previous_other: dict[int, int] = {}

    def add(self, guid: str, log_id: int, at_ms: int, previous: int | None) -> None:
        same_card = bool(self.notes) and self.notes[-1] == guid
        if not same_card:
            self.notes.append(guid)  # a card's answers are added together
        assert self.at_ms is not None
        if previous is None:
            self._before.append(self._FIRST)
        elif same_card and self.log_ids[-1] == previous:
            self._before.append(self._AFTER_SENT)
        else:
            self._previous_other[len(self.log_ids)] = previous
            self._before.append(self._OTHER)
        self.note.append(len(self.notes) - 1)
        self.log_ids.append(log_id)
        self.at_ms.append(at_ms)

    def previous(self, index: int) -> int:
        """The log id of the card's answer before answer `index`, or NONE."""
        kind = self._before[index]
        if kind == self._AFTER_SENT:
            return self.log_ids[index - 1]
        return self._previous_other[index] if kind == self._OTHER else self.NONE

    def __len__(self) -> int:
        return len(self.log_ids)


class _Guids(Sequence[str]):
    """Each outgoing answer's note GUID, without a list of millions of them."""

    def __init__(self, outgoing: Outgoing) -> None:
        self.outgoing = outgoing

    def __len__(self) -> int:
        return len(self.outgoing)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        notes = self.outgoing.notes
        if isinstance(index, slice):
            return [notes[i] for i in self.outgoing.note[index]]
        return notes[self.outgoing.note[index]]

    def __iter__(self) -> Iterator[str]:
        notes = self.outgoing.notes
        return (notes[i] for i in self.outgoing.note)


class RevlogShifts:
    """Each answer's revlog id as the ms it was moved up by from the moment it was given (almost always 0): a byte
    an answer, the rare larger shifts kept by number."""

    def __init__(self, moments: array, ids: array) -> None:
        self.small = array("B", bytes(len(ids)))
        self.large: dict[int, int] = {}
        for index, (moment, revlog_id) in enumerate(zip(moments, ids, strict=True)):
            shift = revlog_id - moment
            if shift < 255:
                self.small[index] = shift
            else:
                self.small[index] = 255
                self.large[index] = shift

    def id_of(self, index: int, moment: int) -> int:
        """The revlog id of answer `index`, given at `moment` (ms)."""
        shift = self.small[index]
        return moment + (self.large[index] if shift == 255 else shift)


class OutgoingReviews(ReviewBatch):
    """Our answers as rows for Anki's log, each at a revlog id no other row holds; made `CHUNK` at a time from
    the store's log as the writer asks for them (it may write them twice: a trial, then for real)."""

    def __init__(self, store: Store, outgoing: Outgoing, shifts: RevlogShifts) -> None:
        self.store, self.outgoing, self.shifts = store, outgoing, shifts

    @property
    def guids(self) -> Sequence[str]:
        return _Guids(self.outgoing)

    def __len__(self) -> int:
        return len(self.outgoing)

    @overload
    def __getitem__(self, index: int) -> ReviewWrite: ...

    @overload
    def __getitem__(self, index: slice) -> list[ReviewWrite]: ...

    def __getitem__(self, index: int | slice) -> ReviewWrite | list[ReviewWrite]:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1:
                raise ValueError("answers are made in runs: no step")
            return self._make(start, stop)
        if not -len(self) <= index < len(self):
            raise IndexError(index)
        index %= len(self)
        return self._make(index, index + 1)[0]

    def __iter__(self) -> Iterator[ReviewWrite]:
        for start in range(0, len(self), CHUNK):
            yield from self._make(start, min(start + CHUNK, len(self)))

    def _make(self, start: int, stop: int) -> list[ReviewWrite]:
        out, made = self.outgoing, []
        for first in range(start, stop, CHUNK):
            last = min(first + CHUNK, stop)
            previous = [out.previous(i) for i in range(first, last)]
            logged = self.store.answer_facts_by_id([*out.log_ids[first:last],
                                                    *(log_id for log_id in previous if log_id != Outgoing.NONE)])
            for i, before_id in zip(range(first, last), previous, strict=True):
                before = logged.get(before_id) if before_id != Outgoing.NONE else None
                answer = logged[out.log_ids[i]]
                made.append(review_write(out.notes[out.note[i]], answer, self.shifts.id_of(i, answer.answered_ms),
                                         before))
        return made


def _to_anki(store: Store, col: Any, outgoing: Outgoing) -> OutgoingReviews:
    """Our answers Anki lacks, each given a revlog id no other row holds (moved up by 1 ms while taken)."""
    assert outgoing.at_ms is not None
    ids = free_ids(outgoing.at_ms, lambda some: existing_review_ids(col, some))
    shifts = RevlogShifts(outgoing.at_ms, ids)
    outgoing.at_ms = None  # the shifts stand for them now (the moments are the store's)
    return OutgoingReviews(store, outgoing, shifts)
