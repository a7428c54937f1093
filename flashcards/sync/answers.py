"""Answers on both sides: which are the same answer, and each side's answer in the other side's form.

Identity of an answer: its card and the moment it was given, in milliseconds. Anki's review log is keyed by
that moment (the revlog id), but when an id is taken Anki moves the new row up by 1 ms until it is free, and we
do the same when writing (`free_revlog_ids`). So two answers on the same card count as one when their moments are
at most `MATCH_WINDOW_MS` apart: nobody answers one card twice within a second. Matching is one to one, in
time order, so each answer is carried across exactly once, across any number of syncs.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..anki.live_model import REVIEW_KINDS, AnkiReview, ReviewWrite
from ..anki.scheduling_out import KIND_OF_STATE, revlog_factor, revlog_interval
from ..clock import from_ms
from ..model import AnswerFacts, Rating, State

MATCH_WINDOW_MS = 1000
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


def review_write(guid: str, answer: AnswerFacts, at_ms: int, previous: AnswerFacts | None) -> ReviewWrite:
    """Our logged answer as a row of Anki's log, at the moment `at_ms` (its own, or moved up to a free id), with
    the interval, factor and kind an export writes (see anki/scheduling_out); `previous` is the card's answer
    before it, whose interval is the row's last interval."""
    last = 0 if previous is None else revlog_interval(previous.answered_ms, previous.due_ms, previous.state_after)
    return ReviewWrite(guid, from_ms(at_ms), int(Rating(answer.rating)),
                       revlog_interval(answer.answered_ms, answer.due_ms, answer.state_after), last,
                       max(answer.duration_ms, 0), kind=REVIEW_KINDS[KIND_OF_STATE[State(answer.state_before)]],
                       factor=revlog_factor(answer.difficulty))
