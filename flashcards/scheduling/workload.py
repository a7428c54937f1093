"""`simulate` as a service: the workload a deck would bring per desired retention, with the person's own
parameters, review costs and button odds when their log holds enough (simulation.py does the simulating)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import TYPE_CHECKING

from ..model import LoggedAnswer
from ..settings import Settings

if TYPE_CHECKING:
    from .simulation import SimulationRow

DEFAULT_RETENTIONS = (0.80, 0.85, 0.90, 0.95)


@dataclass
class SimulateResult:
    """Simulated workload per desired retention, and the cheapest retention when asked."""

    parameters_source: str  # "fitted" or "defaults"
    deck_size: int
    days: int
    rows: list[SimulationRow] = field(default_factory=list)
    optimal: float | None = None
    optimal_at_floor: bool = False  # the search stopped at its lowest retention: not a recommendation
    sources: dict[str, str] = field(default_factory=dict)  # costs and button odds: "yours" or "defaults"
    seeds: int = 1
    settings: str = "the store's settings"  # which settings were simulated (a deck's own, or the store's)

    def to_dict(self) -> dict:
        return {
            "parameters": self.parameters_source, "deck_size": self.deck_size, "days": self.days,
            "optimal_retention": self.optimal, "optimal_at_floor": self.optimal_at_floor,
            "costs_and_odds": self.sources, "seeds": self.seeds, "settings": self.settings,
            "retentions": [
                {"retention": row.retention, "reviews_per_day": row.reviews_per_day,
                 "minutes_per_day": row.minutes_per_day, "memorized_per_day": row.memorized_per_day,
                 "total_minutes": row.total_minutes, "memorized": row.memorized,
                 "minutes_per_memorized_card": row.minutes_per_memorized_card, "spread": row.spread}
                for row in self.rows
            ],
        }


def simulate_workload(settings: Settings, deck_size: int, days: int, retentions: Sequence[float], seed: int,
                      find_optimal: bool, answers: Iterable[LoggedAnswer] | None = None,
                      tz: tzinfo | None = None, seeds: int = 3, settings_label: str = "the store's settings",
                      ) -> SimulateResult:
    """Simulate studying a deck of `deck_size` new cards for `days` with the person's parameters (or the
    defaults) and, from `answers` (their log) when it holds enough, their own review costs and button odds;
    averaged over `seeds` runs."""
    from fsrs_rs_python import DEFAULT_PARAMETERS

    from . import simulation

    parameters = settings.parameters or list(DEFAULT_PARAMETERS)
    profile = simulation.personal_profile(answers or (), settings.rollover_hour, tz)
    result = SimulateResult("defaults" if settings.uses_default_parameters else "fitted", deck_size, days,
                            sources=profile.sources, seeds=seeds, settings=settings_label)
    if find_optimal:
        result.optimal = round(simulation.optimal_retention(parameters, deck_size, days, settings.new_per_day,
                                                           settings.reviews_per_day, profile), 3)
        result.optimal_at_floor = simulation.at_search_floor(result.optimal)
    chosen = sorted({*retentions, *([result.optimal] if result.optimal is not None else [])})
    result.rows = simulation.simulate(parameters, chosen, deck_size, days, seed, settings.new_per_day,
                                     settings.reviews_per_day, profile, seeds)
    return result
