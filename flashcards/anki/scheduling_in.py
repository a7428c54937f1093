"""Anki's cards and review log in our terms: a card's state as a CardRow, its review-log rows as answers."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta, tzinfo

from ..clock import day_number, day_start, to_ms
from ..model import CardRow, LoggedAnswer, Schedule, State
from .package_in import AnkiAnswer, AnkiCard, anki_moment

STATE_OF_TYPE = {0: State.NEW, 1: State.LEARNING, 2: State.REVIEW, 3: State.RELEARNING}
MANUAL, RESCHEDULED, FILTERED = 4, 5, 3
# a review-log row's id is its moment in ms: one before Anki existed, or more than a day after now (another
# device's clock may run a little ahead; Anki's own exporter refuses any row in the future), is no answer anyone
# gave (a clock set wildly wrong, a broken tool) and is left out of the history
EARLIEST_ANSWER_MS = 1_136_073_600_000  # 2006-01-01 00:00 UTC
AHEAD_MS = 86_400_000
_BREAK = re.compile(r"<br\s*/?>|</(?:div|p|li)>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_BLANK_LINES = re.compile(r"\n{3,}")
_MARKUP = re.compile("[<&\xa0\n]")


def html_to_text(field: str) -> str:
    """An Anki field as plain text: line breaks kept, tags dropped, entities decoded."""
    if _MARKUP.search(field) is None:  # one line, no tag, entity or no-break space: the text as it stands
        return field.strip()
    text = _TAG.sub("", _BREAK.sub("\n", field))
    text = html.unescape(text).replace("\xa0", " ")
    return _BLANK_LINES.sub("\n\n", "\n".join(line.rstrip() for line in text.split("\n"))).strip()


def is_answer(entry: AnkiAnswer) -> bool:
    """Whether a review-log row is an answer that counts for memory (not a manual reschedule or cramming)."""
    if entry.ease < 1 or entry.ease > 4 or entry.kind in (MANUAL, RESCHEDULED):
        return False
    return not (entry.kind == FILTERED and entry.factor == 0)


def misdated(moment_ms: int, now_ms: int) -> bool:
    """Whether an answer's moment (ms UTC) is one no answer can have: before 2006, or more than a day ahead."""
    return moment_ms < EARLIEST_ANSWER_MS or moment_ms > now_ms + AHEAD_MS


def moment_text(moment_ms: int) -> str:
    """A moment in ms as a UTC date, for a message (one past what a date can hold is named by its ms)."""
    try:
        return (anki_moment(0) + timedelta(milliseconds=moment_ms)).strftime("%Y-%m-%d")
    except (OverflowError, ValueError):
        return f"{moment_ms} ms after 1970"


def answers_of(card_id: str, entries: Iterable[AnkiAnswer]) -> list[LoggedAnswer]:
    """A card's review-log rows (in time order) as answers; states follow from the kind and the interval."""
    answers: list[LoggedAnswer] = []
    for entry in entries:
        if not is_answer(entry):
            continue
        at = anki_moment(0) + timedelta(milliseconds=entry.id)
        if entry.kind == 1:
            before = State.REVIEW
        elif entry.kind == 2:
            before = State.RELEARNING
        else:
            before = State.NEW if not answers else State.LEARNING
        if entry.ivl > 0:
            after, due = State.REVIEW, at + timedelta(days=entry.ivl)
        else:
            after = State.RELEARNING if before in (State.REVIEW, State.RELEARNING) else State.LEARNING
            due = at + timedelta(seconds=-entry.ivl)
        answers.append(LoggedAnswer(0, card_id, at, entry.ease, max(0, entry.time_ms), before, after, due))
    return answers


_DAY_MS = 86_400_000
NO_INTERVAL = -(2**63)  # LogRows' previous interval of a card's first answer (no interval is ever this)
_RANGE = 1_000_000  # intervals (days or seconds) reckoned in integers; beyond, through datetime as answers_of does
_NEW, _LEARNING, _REVIEW, _RELEARNING = int(State.NEW), int(State.LEARNING), int(State.REVIEW), int(State.RELEARNING)


class LogRows:
    """Anki's review-log rows as rows of our log, a batch at a time, the whole log in time order: (card id, at ms,
    rating, duration ms, state before, state after, due ms, previous interval ms or NO_INTERVAL). They are what
    answers_of() gives as LoggedAnswers of each card's rows (no memory state), and the interval
    previous_intervals.py sets from the card's answers so far (NO_INTERVAL for none: a None costs sqlite3 an
    adaptation, an exception, each time). Only the rows of `idents`' cards (Anki's card id -> ours) are taken
    (`taken` counts them); misdated answers (see misdated()) are left out, their moments kept in `misdated`.

    SQLite reckons what one row alone gives, in integers, as it reads (COLUMNS, WHERE: answers only, see
    is_answer; params(): the span of moments an answer can have): card, moment, rating, duration, the state
    before unless the card had answers before (0: new, or learning after its first), the state after, the due
    time (NULL where it cannot be reckoned so: a REAL or TEXT value, an interval beyond _RANGE; here it is, as
    answers_of does), whether the moment can be an answer's, the interval. What depends on a card's answers
    before (learning or new, the previous interval) is taken here from `last`."""

    COLUMNS = (f"cid, id, ease, max(0, time), CASE type WHEN 1 THEN {_REVIEW} WHEN 2 THEN {_RELEARNING} ELSE {_NEW} "
               f"END, CASE WHEN ivl > 0 THEN {_REVIEW} WHEN type IN (1, 2) THEN {_RELEARNING} ELSE {_LEARNING} END, "
               "CASE WHEN typeof(id) = 'integer' AND typeof(ivl) = 'integer' AND ivl > -:range AND ivl < :range "
               f"THEN (CASE WHEN ivl > 0 THEN id + ivl * {_DAY_MS} ELSE id - ivl * 1000 END) END, "
               "id BETWEEN :earliest AND :latest, ivl")
    WHERE = f"ease BETWEEN 1 AND 4 AND type NOT IN ({MANUAL}, {RESCHEDULED}) AND NOT (type = {FILTERED} AND factor = 0)"

    def __init__(self, idents: dict[int, str], now_ms: int) -> None:
        self.idents = idents
        self.now_ms = now_ms
        self.misdated: list[int] = []
        # Anki card -> (moment, due) of its latest answer taken, and its answers and lapses taken (Again on a card
        # in review, as the store counts them)
        self.last: dict[int, tuple[int, int, int, int]] = {}
        self.repeated: set[str] = set()  # our cards with an answer at the very moment of the one before
        self.taken = 0

    def params(self) -> dict[str, int]:
        return {"earliest": EARLIEST_ANSWER_MS, "latest": self.now_ms + AHEAD_MS, "range": _RANGE}

    def rows(self, entries: Iterable[tuple], repeats: bool = True) -> list[tuple]:
        """The rows of these entries (COLUMNS' values); without `repeats`, not an answer at the very moment of its
        card's one before (its card noted in `repeated`), which a merge leaves out (it is taken all the same:
        counted, and what follows it reckoned as answers_of does)."""
        rows: list[tuple] = []
        idents, last, skipped = self.idents, self.last, 0
        for anki_card, anki_id, ease, duration, kind_before, after, reckoned, possible, ivl in entries:
            card_id = idents.get(anki_card)
            if card_id is None:
                continue
            if not possible:
                self.misdated.append(anki_id)
                continue
            moment, due = anki_id, reckoned
            if due is None:  # as answers_of reckons it (and fails where it fails)
                at = anki_moment(0) + timedelta(milliseconds=anki_id)
                moment, due = to_ms(at), to_ms(at + (timedelta(days=ivl) if ivl > 0 else timedelta(seconds=-ivl)))
            prior = last.get(anki_card)
            if prior is None:  # its first answer: learning or review as its kind says, else new
                last[anki_card] = (moment, due, 1, ease == 1 and kind_before == _REVIEW)
                rows.append((card_id, moment, ease, duration, kind_before, after, due, NO_INTERVAL))
                continue
            before = kind_before or _LEARNING
            last[anki_card] = (moment, due, prior[2] + 1, prior[3] + (ease == 1 and before == _REVIEW))
            if prior[0] == moment:
                self.repeated.add(card_id)
                if not repeats:
                    skipped += 1
                    continue
            rows.append((card_id, moment, ease, duration, before, after, due, prior[1] - prior[0]))
        self.taken += len(rows) + skipped
        return rows


def card_row(card_id: str, card: AnkiCard, days_elapsed: int, now: datetime, steps: Sequence[int],
             rollover_hour: int = 4, tz: tzinfo | None = None, last_answer: datetime | None = None) -> CardRow:
    """A card's state in Anki as our schedule row. `days_elapsed` is Anki's day number today (see
    AnkiPackage.days_elapsed); `steps` the number of learning and relearning steps."""
    return CardRows(days_elapsed, now, steps, rollover_hour, tz).row(card_id, card, last_answer)


class CardRows:
    """card_row() for the many cards of one import: today, and the start of each day cards fall due on, reckoned
    once."""

    def __init__(self, days_elapsed: int, now: datetime, steps: Sequence[int], rollover_hour: int = 4,
                 tz: tzinfo | None = None) -> None:
        self.days_elapsed, self.now, self.now_ms, self.steps = days_elapsed, now, to_ms(now), steps
        self.rollover_hour, self.tz = rollover_hour, tz
        self.today = day_number(now, rollover_hour, tz)
        self.starts: dict[int, datetime] = {}

    def row(self, card_id: str, card: AnkiCard, last_answer: datetime | None = None,
            counts: tuple[int, int] | None = None) -> CardRow:
        """The card's row (card_row()); `counts`, when given, the (reps, lapses) it keeps instead of Anki's."""
        state = STATE_OF_TYPE.get(card.ctype, State.NEW)
        today = self.today
        due = None
        step = None
        if state != State.NEW:
            if state in (State.LEARNING, State.RELEARNING) and card.due > 1_000_000_000:
                due = anki_moment(card.due)
            else:
                day = today + card.due - self.days_elapsed
                due = self.starts.get(day)
                if due is None:
                    due = self.starts[day] = day_start(day, self.rollover_hour, self.tz)
        if state in (State.LEARNING, State.RELEARNING):
            count = self.steps[0] if state == State.LEARNING else self.steps[1]
            step = min(max(0, count - card.left % 1000), max(count - 1, 0))
        elif state == State.REVIEW:
            step = None
        memory = card.data
        stability = memory.get("s") if state != State.NEW else None
        difficulty = memory.get("d") if state != State.NEW else None
        last = last_answer
        lrt = memory.get("lrt")
        if isinstance(lrt, int | float) and state != State.NEW and not misdated(int(lrt) * 1000, self.now_ms):
            last = anki_moment(int(lrt))
        reps, lapses = (card.reps, card.lapses) if counts is None else counts
        schedule = Schedule(state, step, stability, difficulty, due, last, reps, lapses)
        buried = today if card.queue in (-2, -3) else None
        return CardRow(card_id, schedule, card.queue == -1, buried)
