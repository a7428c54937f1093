"""A simulated learner for tests and the benchmark: recall follows known FSRS parameters exactly."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from flashcards.model import LoggedAnswer, State

DEFAULT_START = datetime(2025, 1, 6, 10, 0, tzinfo=UTC)


def answer(card_id: str, at: datetime, rating: int) -> LoggedAnswer:
    """One simulated answer as the store logs it (5 s, logged as a review)."""
    return LoggedAnswer(0, card_id, at, rating, 5000, State.REVIEW, State.REVIEW)


def true_parameters() -> list[float]:
    """A learner unlike the FSRS defaults: remembers new cards longer, forgets reviewed ones faster."""
    from fsrs_rs_python import DEFAULT_PARAMETERS

    params = list(DEFAULT_PARAMETERS)
    params[0:4] = [1.5, 4.0, 9.0, 25.0]  # initial stabilities after Again/Hard/Good/Easy
    params[8] = 1.2  # slower stability growth on success
    params[20] = 0.35  # a different forgetting-curve decay
    return params


def retrievability(days: float, stability: float, decay: float) -> float:
    """FSRS-6's power forgetting curve."""
    factor = 0.9 ** (-1 / decay) - 1
    return (1 + factor * days / stability) ** (-decay)


def simulate_history(cards: int, reviews_per_card: int, seed: int = 1, start: datetime = DEFAULT_START,
                     scheduler_parameters: list[float] | None = None) -> list[LoggedAnswer]:
    """Answers of a learner with true_parameters(), scheduled by FSRS with scheduler_parameters at 0.9."""
    from fsrs_rs_python import DEFAULT_PARAMETERS, FSRS

    rng = random.Random(seed)
    truth_params = true_parameters()
    truth, scheduler = FSRS(truth_params), FSRS(scheduler_parameters or list(DEFAULT_PARAMETERS))
    decay = truth_params[20]
    answers = []
    for card in range(cards):
        moment = start + timedelta(days=card // 20, minutes=card % 20)
        first = rng.choices([1, 2, 3, 4], weights=[2, 1, 6, 1])[0]
        answers.append(answer(f"c{card}", moment, first))
        true_state = _pick(truth.next_states(None, 0.9, 0), first).memory
        sched_state = _pick(scheduler.next_states(None, 0.9, 0), first)
        for _ in range(reviews_per_card - 1):
            days = max(1, round(sched_state.interval))
            moment += timedelta(days=days, minutes=rng.randint(-90, 90))
            recalled = rng.random() < retrievability(days, true_state.stability, decay)
            rating = rng.choices([2, 3, 4], weights=[1, 8, 1])[0] if recalled else 1
            answers.append(answer(f"c{card}", moment, rating))
            true_state = _pick(truth.next_states(true_state, 0.9, days), rating).memory
            sched_state = _pick(scheduler.next_states(sched_state.memory, 0.9, days), rating)
    return answers


def _pick(states, rating: int):
    return (states.again, states.hard, states.good, states.easy)[rating - 1]


def write_to_store(store, answers: list[LoggedAnswer]) -> None:
    """Simulated answers straight into a store's review log."""
    with store.transaction() as db:
        store.insert_answers(db, answers)


def logged(card: str, at: datetime, rating: int, state: int, ms: int):
    """One logged answer with the same state before and after."""
    return LoggedAnswer(0, card, at, rating, ms, State(state), State(state))


def slow_learner_log(cards: int = 60) -> list:
    """A person who answers reviews slowly (40 s) and presses Hard far more often than Anki's average."""
    answers = []
    start = datetime(2026, 1, 5, 9, tzinfo=UTC)
    for card in range(cards):
        at = start + timedelta(minutes=card)
        answers.append(logged(f"c{card}", at, 3 if card % 3 else 1, 0, 9000))  # first answers: new cards
        for day in (1, 4, 10):
            answers.append(logged(f"c{card}", at + timedelta(days=day), 2 if card % 2 else 3, 2, 40_000))
    return answers
