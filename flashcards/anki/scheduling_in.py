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


def html_to_text(field: str) -> str:
    """An Anki field as plain text: line breaks kept, tags dropped, entities decoded."""
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


def card_row(card_id: str, card: AnkiCard, days_elapsed: int, now: datetime, steps: Sequence[int],
             rollover_hour: int = 4, tz: tzinfo | None = None, last_answer: datetime | None = None) -> CardRow:
    """A card's state in Anki as our schedule row. `days_elapsed` is Anki's day number today (see
    AnkiPackage.days_elapsed); `steps` the number of learning and relearning steps."""
    state = STATE_OF_TYPE.get(card.ctype, State.NEW)
    today = day_number(now, rollover_hour, tz)
    due = None
    step = None
    if state != State.NEW:
        if state in (State.LEARNING, State.RELEARNING) and card.due > 1_000_000_000:
            due = anki_moment(card.due)
        else:
            due = day_start(today + card.due - days_elapsed, rollover_hour, tz)
    if state in (State.LEARNING, State.RELEARNING):
        count = steps[0] if state == State.LEARNING else steps[1]
        step = min(max(0, count - card.left % 1000), max(count - 1, 0))
    elif state == State.REVIEW:
        step = None
    memory = card.data
    stability = memory.get("s") if state != State.NEW else None
    difficulty = memory.get("d") if state != State.NEW else None
    last = last_answer
    lrt = memory.get("lrt")
    if isinstance(lrt, int | float) and state != State.NEW and not misdated(int(lrt) * 1000, to_ms(now)):
        last = anki_moment(int(lrt))
    schedule = Schedule(state, step, stability, difficulty, due, last, card.reps, card.lapses)
    buried = today if card.queue in (-2, -3) else None
    return CardRow(card_id, schedule, card.queue == -1, buried)
