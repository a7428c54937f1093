"""Random histories for the stats tests (hypothesis strategies and a seeded generator), and the figures of the
ranges recomputed the plain way: a loop over every answer and card, nothing summed per day."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo

from hypothesis import strategies as st

from flashcards.stats.numbers import Answer, CardSnapshot

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
STATES = ("new", "learning", "review", "relearning")
RANGE_DAYS = {"1m": 30, "3m": 90, "1y": 365}


@st.composite
def answers(draw, valid_ratings: bool = False, days: int = 500) -> list[Answer]:
    """Answers over the last `days` days (a few in the future), any state, durations (some negative), ratings
    1-4 (with `valid_ratings` False, a broken 0 or 5 now and then)."""
    ratings = st.sampled_from([1, 2, 3, 4] if valid_ratings else [1, 2, 3, 4, 1, 3, 0, 5])
    one = st.builds(
        lambda card, minutes, rating, ms, state, interval: Answer(
            f"c{card}", NOW + timedelta(minutes=minutes), rating, ms, state, interval),
        st.integers(0, 30), st.integers(-days * 24 * 60, 2 * 24 * 60), ratings,
        st.sampled_from([-5, 0, 800, 4_000, 12_345, 95_000]), st.sampled_from(STATES),
        st.sampled_from([None, 0.01, 3.0, 20.9, 21.0, 45.0, 400.0]))
    return draw(st.lists(one, max_size=120))


@st.composite
def cards(draw) -> list[CardSnapshot]:
    """Cards in every state, due from a month ago to years ahead, some without a due, a stability, a difficulty."""
    def card(index: int, state: str, due_days: float | None, interval: float | None, stability: float | None,
             difficulty: float | None, suspended: bool, buried: bool, known_last: bool) -> CardSnapshot:
        due = None if due_days is None or state == "new" else NOW + timedelta(days=due_days)
        last = due - timedelta(days=interval) if due is not None and interval is not None and known_last else None
        return CardSnapshot(f"k{index}", state, due, None if state == "new" else stability,
                            None if due is None else interval, suspended, buried,
                            None if state == "new" else difficulty, last)

    one = st.builds(
        card, st.integers(0, 10**6), st.sampled_from(STATES),
        st.one_of(st.none(), st.floats(-40, 900, allow_nan=False)),
        st.sampled_from([None, 0.0, 0.5, 1.0, 2.0, 6.9, 7.0, 21.0, 29.99, 90.0, 400.0, 1000.0]),
        st.sampled_from([None, -1.0, 0.0, 0.4, 1.0, 9.0, 30.0, 400.0]),
        st.sampled_from([None, 0.5, 1.0, 1.45, 2.8, 5.5, 9.999, 10.0, 11.0]),
        st.booleans(), st.booleans(), st.booleans())
    return draw(st.lists(one, max_size=40))


def realistic(seed: int = 7, days: int = 700, per_day: int = 1400) -> tuple[list[CardSnapshot], list[Answer]]:
    """A long, heavy history (thousands of answers on some days, four-digit labels) for the layout tests."""
    rng = random.Random(seed)
    log = []
    for day in range(days):
        if rng.random() < 0.12:
            continue
        base = NOW - timedelta(days=day)
        for _ in range(int(per_day * rng.uniform(0.05, 1.0) * (1 if day < 400 else 0.3))):
            moment = base.replace(hour=rng.choice([6, 7, 8, 12, 20, 21, 22]), minute=rng.randrange(60))
            state = rng.choices(STATES, [5, 10, 80, 5])[0]
            log.append(Answer(f"c{rng.randrange(5000)}", moment, rng.choices([1, 2, 3, 4], [10, 8, 75, 7])[0],
                              rng.randint(2_000, 30_000), state, rng.choice([None, 3.0, 12.0, 40.0, 300.0])))
    snapshots = []
    for index in range(6000):
        state = rng.choices(STATES, [15, 3, 80, 2])[0]
        interval = rng.choice([1.0, 4.0, 15.0, 40.0, 120.0, 400.0, 900.0])
        due = None if state == "new" else NOW + timedelta(days=rng.uniform(-10, interval))
        last = None if due is None else due - timedelta(days=interval)
        snapshots.append(CardSnapshot(f"c{index}", state, due, None if due is None else interval * rng.uniform(0.5, 2),
                                      None if due is None else interval, rng.random() < 0.03, False,
                                      None if due is None else rng.uniform(1, 10), last))
    return snapshots, log


@dataclass
class Expected:
    """One range's figures recomputed from the records."""

    days: int
    kinds: Counter = field(default_factory=Counter)  # kind -> answers
    ms: Counter = field(default_factory=Counter)  # kind -> milliseconds
    buttons: Counter = field(default_factory=Counter)  # (group, rating) -> answers
    hours: Counter = field(default_factory=Counter)  # hour -> answers
    hours_correct: Counter = field(default_factory=Counter)
    added: int = 0
    studied: set = field(default_factory=set)


def study_day(moment: datetime, rollover: int, tz: tzinfo | None) -> date:
    return (moment.astimezone(tz) - timedelta(hours=rollover)).date()


def kind(answer: Answer) -> str:
    if answer.state_before == "review":
        return "mature" if answer.interval_before_days is not None and answer.interval_before_days >= 21 else "young"
    return "relearning" if answer.state_before == "relearning" else "learning"


def expected_ranges(log: list[Answer], now: datetime, rollover: int, tz: tzinfo | None) -> dict[str, Expected]:
    today = study_day(now, rollover, tz)
    shown = [(study_day(a.reviewed_at, rollover, tz), a) for a in log if study_day(a.reviewed_at, rollover, tz) <= today]
    first = min((day for day, _ in shown), default=today)
    out = {}
    for key, days in [*RANGE_DAYS.items(), ("all", (today - first).days + 1)]:
        figures = Expected(days)
        for day, answer in shown:
            if (today - day).days >= days:
                continue
            name = kind(answer)
            figures.kinds[name] += 1
            figures.ms[name] += max(answer.duration_ms, 0)
            if 1 <= answer.rating <= 4:
                group = "learning" if name == "relearning" else name
                figures.buttons[group, answer.rating] += 1
            hour = answer.reviewed_at.astimezone(tz).hour
            figures.hours[hour] += 1
            figures.hours_correct[hour] += answer.rating != 1
            figures.added += answer.state_before == "new"
            figures.studied.add(day)
        out[key] = figures
    return out


def expected_due(snapshots: list[CardSnapshot], now: datetime, rollover: int, tz: tzinfo | None) -> dict[date, int]:
    """Cards due per study day (overdue ones on their own, earlier, day)."""
    today = study_day(now, rollover, tz)
    due: Counter = Counter()
    for card in snapshots:
        if card.suspended or card.state == "new" or card.due is None:
            continue
        due[min(study_day(card.due, rollover, tz), today + timedelta(days=36_600))] += 1
    return dict(due)


def recall(elapsed_days: float, stability: float, decay: float) -> float:
    """FSRS-6's forgetting curve: 90% after one stability."""
    return (1 + (0.9 ** (-1 / decay) - 1) * elapsed_days / stability) ** -decay


def last_review(card: CardSnapshot) -> datetime | None:
    if card.last_review is not None:
        return card.last_review
    if card.due is not None and card.interval_days is not None:
        return card.due - timedelta(days=card.interval_days)
    return None


def expected_memory(snapshots: list[CardSnapshot], now: datetime, decay: float) -> tuple[Counter, Counter, Counter, list]:
    """(interval bucket lows in days -> review cards, difficulty bin -> cards, retrievability bin -> cards, R values)."""
    lows = [0, 1, 2, 3, 7, 14, 21, 30, 60, 90, 180, 365, 730]
    intervals: Counter = Counter()
    difficulty: Counter = Counter()
    retrievability: Counter = Counter()
    values = []
    for card in snapshots:
        if card.suspended or card.state == "new":
            continue
        last = last_review(card)
        if card.state == "review" and card.due is not None and last is not None:
            days = (card.due - last) / timedelta(days=1)
            intervals[max([low for low in lows if days >= low] or [0])] += 1
        if card.difficulty is not None:  # shown as (D - 1) / 9, in bins of 5%
            difficulty[min(max(int((card.difficulty - 1) / 9 * 20), 0), 19)] += 1
        if card.stability is not None and card.stability > 0 and last is not None:
            value = recall(max((now - last) / timedelta(days=1), 0), card.stability, decay)
            values.append(value)
            retrievability[min(int(value * 20), 19)] += 1
    return intervals, difficulty, retrievability, values
