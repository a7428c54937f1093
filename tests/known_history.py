"""A known history on a fixed clock, shared by the stats tests and the stats drawing tests."""

from __future__ import annotations

from datetime import UTC, datetime

from flashcards.stats.numbers import Answer, CardSnapshot

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)  # a Sunday; the study day 2026-03-15 began at 04:00


def at(day: str, clock: str = "10:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}:00+00:00")


def known_cards() -> list[CardSnapshot]:
    """12 cards: 2 new, 2 learning, 2 young, 3 mature, 2 suspended, 1 buried."""
    return [
        CardSnapshot("n1", "new", None, None, None),
        CardSnapshot("n2", "new", None, None, None),
        CardSnapshot("l1", "learning", at("2026-03-15", "13:00"), 0.3, 0.01),  # due later today
        CardSnapshot("r1", "relearning", at("2026-03-16", "02:00"), 1.0, 0.01),  # 2 am tomorrow is still today
        CardSnapshot("y1", "review", at("2026-03-16", "10:00"), 4.0, 5),  # tomorrow
        CardSnapshot("y2", "review", at("2026-03-13", "09:00"), 15.0, 20.9),  # overdue: counts today
        CardSnapshot("m1", "review", at("2026-03-20", "12:00"), 28.0, 21),  # in 5 days; 21 d is mature
        CardSnapshot("m2", "review", at("2026-04-20"), 500.0, 400),  # in 36 days: past the forecast
        CardSnapshot("m3", "review", at("2026-04-13"), 100.0, 60),  # in 29 days: the forecast's last day
        CardSnapshot("s1", "review", at("2026-03-16"), 30.0, 30, suspended=True),
        CardSnapshot("s2", "new", None, None, None, suspended=True),
        CardSnapshot("b1", "review", at("2026-03-16", "05:00"), 2.0, 3, buried=True),  # tomorrow, buried
    ]


def review(when: datetime, rating: int, seconds: float, interval: float | None, state: str = "review") -> Answer:
    return Answer("x", when, rating, int(seconds * 1000), state, interval)


def known_answers() -> list[Answer]:
    """17 answers; 16 fall in the last 365 days, 13 of them to review cards."""
    return [
        review(at("2026-03-15", "09:00"), 3, 30, 10),  # young, passed
        review(at("2026-03-15", "11:00"), 1, 90, 30),  # mature, failed
        review(at("2026-03-15", "03:30"), 3, 60, 21),  # 03:30 belongs to 14 March; mature (21 d), passed
        review(at("2026-03-14", "20:00"), 3, 15, None, "learning"),  # not a review: no retention
        review(at("2026-03-14", "12:00"), 1, 75, 0.01, "relearning"),  # not a review either
        review(at("2026-03-13", "10:00"), 1, 20, None, "new"),
        review(at("2026-03-13", "11:00"), 2, 45, 5),  # young, Hard passes
        *[review(at(f"2026-03-0{day}"), 1 if day == 3 else 3, 10, 3) for day in range(1, 6)],  # 5 days in a row
        review(at("2026-02-20"), 4, 120, 40),  # mature, passed
        review(at("2026-01-10"), 1, 30, None),  # young (no interval recorded), failed
        review(at("2026-01-10", "11:00"), 3, 30, 50),  # mature, passed
        review(at("2025-03-16"), 3, 60, 45),  # the heatmap's first day (today - 364)
        review(at("2025-03-16", "03:00"), 1, 600, 2),  # study day 15 March 2025: outside every window
    ]
