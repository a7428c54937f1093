"""How model types map to rows: the column lists and converters the store's modules share."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from ..clock import from_ms, to_ms
from ..model import CardRow, LoggedAnswer, Schedule, State

SCHEDULE_COLUMNS = "state, step, stability, difficulty, due, last_review, reps, lapses"
# the log's columns of a model.AnswerFacts, in its order
ANSWER_FACTS = "card_id, reviewed_at, rating, duration_ms, state_before, state_after, due, difficulty"
SELECT_CARD = f"SELECT card_id, {SCHEDULE_COLUMNS}, suspended, buried_until, leech FROM schedule"
ACTIVE = "suspended = 0 AND (buried_until IS NULL OR buried_until < ?)"  # binds today's study day
# a per-row index lookup (deck_cards_card), cheap when a query stops early (LIMIT, ORDER BY an index)
IN_DECKS = "EXISTS (SELECT 1 FROM deck_cards d WHERE d.card_id = schedule.card_id AND d.deck_path IN ({}))"


LOG_COLUMNS = "card_id, reviewed_at, rating, duration_ms, state_before, state_after, stability, difficulty, due"


def answer_values(answer: LoggedAnswer) -> tuple:
    """The LOG_COLUMNS values of an answer."""
    return (answer.card_id, to_ms(answer.reviewed_at), answer.rating, answer.duration_ms, int(answer.state_before),
            int(answer.state_after), answer.stability, answer.difficulty, to_ms(answer.due))


def marks(values: Iterable) -> str:
    """`?, ?, ?`: one placeholder per value."""
    return ", ".join("?" for _ in values)


def where_in_decks(decks: Sequence[str] | None) -> str:
    """A WHERE clause keeping the rows of cards in the given decks (none: every row); binds `decks`."""
    return "" if decks is None else f"WHERE card_id IN (SELECT card_id FROM deck_cards WHERE deck_path IN ({marks(decks)}))"


def tags_from(text: str) -> list[str]:
    """A card's tags as stored (JSON); most cards have none, which skips the decoder."""
    return [] if text == "[]" else json.loads(text)


def tags_to(tags: Sequence[str]) -> str:
    """A card's tags as stored."""
    return json.dumps(list(tags), ensure_ascii=False)


def schedule_from(row: Sequence) -> Schedule:
    """A Schedule from the SCHEDULE_COLUMNS of a row."""
    state, step, stability, difficulty, due, last_review, reps, lapses = row
    return Schedule(State(state), step, stability, difficulty, from_ms(due), from_ms(last_review), reps, lapses)


def schedule_values(schedule: Schedule) -> tuple:
    """The SCHEDULE_COLUMNS values of a Schedule."""
    return (int(schedule.state), schedule.step, schedule.stability, schedule.difficulty, to_ms(schedule.due),
            to_ms(schedule.last_review), schedule.reps, schedule.lapses)


def card_row(row: Sequence) -> CardRow:
    """A CardRow from a SELECT_CARD row."""
    return CardRow(row[0], schedule_from(row[1:9]), bool(row[9]), row[10], bool(row[11]))
