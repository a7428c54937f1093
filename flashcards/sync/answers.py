"""Answers on both sides: which are the same answer, and each side's answer in the other side's form.

Identity of an answer: its card and the moment it was given, in milliseconds. Anki's review log is keyed by
that moment (the revlog id), but when an id is taken Anki moves the new row up by 1 ms until it is free, and we
do the same when writing (`free_ids`). So two answers on the same card count as one when their moments are
at most `MATCH_WINDOW_MS` apart: nobody answers one card twice within a second. Matching is one to one, in
time order, so each answer is carried across exactly once, across any number of syncs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from ..anki.live_model import AnkiReview, ReviewWrite
from ..clock import from_ms
from ..model import LoggedAnswer, Rating, State

MATCH_WINDOW_MS = 1000
_DAY_S = 86_400
ANSWER_KINDS = ("learn", "review", "relearn", "filtered")  # revlog kinds that record an answer


def is_answer(review: AnkiReview) -> bool:
    """True for rows that record a rating; manual and rescheduled rows (ease 0, kinds 4-5) are skipped."""
    return review.ease in (1, 2, 3, 4) and review.kind in ANSWER_KINDS


def match(ours: Sequence[int], theirs: Sequence[int], window: int = MATCH_WINDOW_MS) -> tuple[list[int], list[int]]:
    """Moments (ms) of one card on two sides, each sorted: (indexes only in `ours`, indexes only in `theirs`).
    A moment pairs with the first unpaired one on the other side within `window`."""
    only_ours: list[int] = []
    only_theirs: list[int] = []
    i = j = 0
    while i < len(ours) and j < len(theirs):
        if abs(ours[i] - theirs[j]) <= window:
            i, j = i + 1, j + 1
        elif ours[i] < theirs[j]:
            only_ours.append(i)
            i += 1
        else:
            only_theirs.append(j)
            j += 1
    only_ours.extend(range(i, len(ours)))
    only_theirs.extend(range(j, len(theirs)))
    return only_ours, only_theirs


def state_before(review: AnkiReview, replayed: State) -> State:
    """Our state before an Anki answer, from its revlog kind (learn: new for a first answer, else learning);
    a filtered-deck answer takes the state the merged history had."""
    if review.kind == "learn":
        return State.NEW if replayed == State.NEW else State.LEARNING
    return {"review": State.REVIEW, "relearn": State.RELEARNING}.get(review.kind, replayed)


def anki_interval(answered_at: datetime, due: datetime | None) -> int:
    """An interval in Anki's revlog form: whole days when a day or more, else negative seconds."""
    if due is None:
        return 0
    seconds = max(int((due - answered_at).total_seconds()), 0)
    return round(seconds / _DAY_S) if seconds >= _DAY_S else -seconds


def review_write(guid: str, answer: LoggedAnswer, at_ms: int, previous_due: datetime | None,
                 previous_at: datetime | None) -> ReviewWrite:
    """Our logged answer as a row of Anki's log, at the moment `at_ms` (its own, or moved up to a free id)."""
    kind = {State.NEW: "learn", State.LEARNING: "learn", State.REVIEW: "review"}.get(answer.state_before, "relearn")
    last = anki_interval(previous_at, previous_due) if previous_at is not None else 0
    factor = round(answer.difficulty * 100) if answer.difficulty is not None else 0
    return ReviewWrite(guid, from_ms(at_ms), int(Rating(answer.rating)), anki_interval(answer.reviewed_at, answer.due),
                       last, max(answer.duration_ms, 0), kind=kind, factor=factor)


def free_ids(wanted: Iterable[int], taken: set[int]) -> list[int]:
    """Revlog ids for answers at these moments: each moved up by 1 ms while the id is taken, as Anki does."""
    ids = []
    for ms in wanted:
        free = ms
        while free in taken:
            free += 1
        taken.add(free)
        ids.append(free)
    return ids
