"""A simulated year of reviews: a learner whose memory follows a known forgetting curve, scheduled by our
session at desired retention 0.9, recalls about 90% of the review cards it is shown.

The learner's memory is tracked by fsrs-rs (a separate implementation of FSRS, default parameters) from
what actually happened: the ratings it gave and the whole days between answers. Our session, store and
scheduler decide when each card comes back. If elapsed time, states or ratings were wired wrong (a
rating lost, days counted from the wrong answer, a learning card scheduled as a review), the intervals
would stop matching the learner's memory and the measured retention would drift away from 0.9.

The learner studies at a different hour each day, before and after the 4 am rollover, so elapsed time in
study days and in 24-hour periods differ: the states our scheduler keeps must still equal fsrs-rs's for
the same history, answer by answer.
"""

from __future__ import annotations

import random
from datetime import UTC, timedelta

import pytest
from reviewing import START, FrozenClock, Reviewing, write_deck

from flashcards.clock import day_number
from flashcards.model import Rating, State
from flashcards.settings import Settings
from flashcards.store import Store

pytestmark = pytest.mark.slow  # end to end: run by CI, left out of the quick loop (-m "not slow")


@pytest.mark.slow
def test_a_simulated_year_at_varying_hours_measures_about_0_9_with_states_equal_to_fsrs_rs(tmp_path):
    from fsrs_rs_python import DEFAULT_PARAMETERS, FSRS

    truth = FSRS(list(DEFAULT_PARAMETERS))
    decay = DEFAULT_PARAMETERS[20]
    factor = 0.9 ** (-1 / decay) - 1
    rng = random.Random(7)
    deck = tmp_path / "deck.yaml"
    ids = write_deck(deck, 160)
    memory: dict[str, tuple[object, object]] = {}  # card -> (fsrs-rs memory state, moment of last answer)
    recalled_reviews = reviews = 0
    hours: set[int] = set()

    with Store(tmp_path / "fc.db") as store:
        reviewing = Reviewing(store, [deck], FrozenClock(), Settings(desired_retention=0.9, new_per_day=10))
        for day in range(365):
            midnight = START.replace(hour=0) + timedelta(days=day)
            reviewing.clock.now = max(reviewing.clock.now, midnight + timedelta(minutes=rng.randint(0, 24 * 60 - 1)))
            session = reviewing.session()
            while True:
                shown = session.next_card()
                if shown is None:
                    waiting = session.next_learning_due()
                    if waiting is None:
                        break
                    reviewing.clock.now = waiting
                    continue
                card = shown.card.id
                now = reviewing.clock.now
                if card in memory:
                    state, last = memory[card]
                    elapsed_days = (now - last).total_seconds() / 86400
                    recall = (1 + factor * elapsed_days / state.stability) ** -decay
                    recalled = rng.random() < recall
                    rating = rng.choices([Rating.HARD, Rating.GOOD, Rating.EASY], [1, 8, 1])[0] if recalled else Rating.AGAIN
                    whole_days = day_number(now, 4, UTC) - day_number(last, 4, UTC)
                    states = truth.next_states(state, 0.9, whole_days)
                else:
                    rating = rng.choices(list(Rating), [2, 1, 6, 1])[0]
                    states = truth.next_states(None, 0.9, 0)
                if shown.row.schedule.state == State.REVIEW:
                    reviews += 1
                    recalled_reviews += rating != Rating.AGAIN
                memory[card] = ((states.again, states.hard, states.good, states.easy)[rating - 1].memory, now)
                after = session.answer(shown, rating, duration_ms=8000).schedule
                expected = memory[card][0]
                assert (after.stability, after.difficulty) == pytest.approx((expected.stability, expected.difficulty), rel=1e-5)
                hours.add(now.hour)
                reviewing.clock.advance(seconds=8)

        assert len(memory) == len(ids)  # every card was introduced
        logged_reviews = sum(1 for a in store.answers() if a.state_before == State.REVIEW)
    assert logged_reviews == reviews > 1000
    assert min(hours) < 4 and max(hours) >= 22 and len(hours) >= 20  # answers on both sides of the rollover
    retention = recalled_reviews / reviews
    print(f"measured retention {retention:.3f} over {reviews} reviews")
    assert abs(retention - 0.9) < 0.03, retention
