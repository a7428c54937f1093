"""Settings a person can see and change: a small JSON file beside the review store.

`flashcards config` shows and sets them; `flashcards optimize` writes fitted FSRS parameters here; review
sessions read them. Unknown keys and bad values are refused with one clear line.
"""

from __future__ import annotations

import copy
import json
import math
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import TypeGuard

from .errors import FlashcardsError
from .files.atomic import write_atomic

PARAMETER_COUNT = 21  # FSRS-6
MAX_SETTINGS_BYTES = 1024 * 1024
MAX_STEP_MINUTES = 36500 * 24 * 60  # a step is at most the longest interval
MIN_STEP_MINUTES = 1 / 60  # one second
MAX_STEPS = 100


@dataclass
class Settings:
    """Scheduling settings; `parameters` empty means FSRS's defaults."""

    desired_retention: float = 0.9
    parameters: list[float] = field(default_factory=list)
    new_per_day: int = 20
    reviews_per_day: int = 200
    rollover_hour: int = 4
    learning_steps_minutes: list[float] = field(default_factory=lambda: [1.0, 10.0])
    relearning_steps_minutes: list[float] = field(default_factory=lambda: [10.0])
    maximum_interval_days: int = 36500
    fuzz: bool = True
    leech_lapses: int = 8
    learn_ahead_minutes: int = 20  # learning cards due this soon are shown when nothing else is due
    load_balance: bool = True  # Anki's load balancer: fuzz picks the less loaded days
    easy_days: list[float] = field(default_factory=lambda: [1.0] * 7)  # Monday first: 1 normal, 0.5 reduced, 0 minimum
    fitted: dict = field(default_factory=dict)  # when and how well the parameters were fitted
    decks: dict = field(default_factory=dict)  # deck name -> its own settings (DECK_KEYS; Anki's presets)

    @property
    def uses_default_parameters(self) -> bool:
        return not self.parameters

    def for_deck(self, name: str | None) -> Settings:
        """The settings a deck's cards are scheduled with: these, with what the deck sets for itself over them."""
        own = self.decks.get(name) if name is not None else None
        if not own:
            return self
        merged = replace(self, decks={}, **{key: copy.deepcopy(value) for key, value in own.items() if key in DECK_KEYS})
        if "parameters" in own:
            merged.fitted = dict(own.get("fitted") or {})
        return merged


# what a deck may set for itself (`config --deck`); the rest is the store's for every deck
DECK_KEYS = ("desired_retention", "parameters", "new_per_day", "reviews_per_day", "learning_steps_minutes",
             "relearning_steps_minutes", "maximum_interval_days", "easy_days")


def settings_path(db_path: Path) -> Path:
    """Where the settings of a store live: `NAME.settings.json` beside `NAME.db`."""
    return db_path.with_name(f"{db_path.stem}.settings.json")


def load_settings(path: Path) -> Settings:
    """Read settings; a missing file gives the defaults."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_SETTINGS_BYTES + 1)
        if len(data) > MAX_SETTINGS_BYTES:
            raise FlashcardsError(f"{path}: settings file over {MAX_SETTINGS_BYTES // 1024} KiB; not a settings file")
        raw = json.loads(data.decode("utf-8"))
    except FileNotFoundError:
        return Settings()
    except IsADirectoryError:
        raise FlashcardsError(f"{path}: is a folder, not a settings file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FlashcardsError(f"{path}: cannot read settings ({' '.join(str(exc).split())})") from None
    except ValueError as exc:  # a number over Python's 4,300-digit limit
        raise FlashcardsError(f"{path}: cannot read settings (a number too long: {str(exc)[:80]})") from None
    except RecursionError:
        raise FlashcardsError(f"{path}: cannot read settings (nested too deeply)") from None
    if not isinstance(raw, dict):
        raise FlashcardsError(f"{path}: settings must be a JSON object")
    settings = Settings()
    for key, value in raw.items():
        _assign(settings, key, value, str(path))
    return settings


def save_settings(settings: Settings, path: Path) -> None:
    """Write settings atomically."""
    write_atomic(path, (json.dumps(asdict(settings), indent=2, ensure_ascii=False) + "\n").encode("utf-8"))


def names() -> list[str]:
    """The names a person may set."""
    return [f.name for f in fields(Settings) if f.name not in ("fitted", "decks")]


def set_for_deck(settings: Settings, deck: str, key: str, text: str) -> None:
    """Set one of a deck's own settings from what a person typed; `default` gives the deck the store's again."""
    if key not in DECK_KEYS:
        raise FlashcardsError(f"{key!r} is the same for every deck; a deck may set {', '.join(DECK_KEYS)}")
    own = settings.decks.setdefault(deck, {})
    if text.strip().lower() == "default":
        own.pop(key, None)
        if key == "parameters":
            own.pop("fitted", None)
    else:
        scratch = settings.for_deck(deck)
        scratch = replace(scratch, **{key: copy.deepcopy(getattr(scratch, key))})
        set_from_text(scratch, key, text)
        own[key] = getattr(scratch, key)
        if key == "parameters":
            own.pop("fitted", None)
    if not own:
        del settings.decks[deck]


def set_from_text(settings: Settings, key: str, text: str) -> None:
    """Set one setting from what a person typed (`0.85`, `true`, `1,10`, or `default` for the default)."""
    if key not in names():
        raise FlashcardsError(f"unknown setting {key!r} (known: {', '.join(names())})")
    if text.strip().lower() == "default":
        setattr(settings, key, getattr(Settings(), key))
        if key == "parameters":
            settings.fitted = {}
        return
    current = getattr(settings, key)
    if isinstance(current, bool):
        value: object = _parse_bool(key, text)
    elif isinstance(current, list):
        value = [_parse_number(key, part) for part in text.replace(",", " ").split()]
    else:
        value = _parse_number(key, text)
    _assign(settings, key, value, "")


def _parse_bool(key: str, text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("true", "yes", "on", "1"):
        return True
    if lowered in ("false", "no", "off", "0"):
        return False
    raise FlashcardsError(f"{key}: expected true or false, not {text!r}")


def _parse_number(key: str, text: str) -> float:
    try:
        number = float(text)
    except ValueError:
        raise FlashcardsError(f"{key}: expected a number, not {text!r}") from None
    if not math.isfinite(number):
        raise FlashcardsError(f"{key}: expected a finite number, not {text!r}")
    return number


_RANGES = {
    "desired_retention": (0.7, 0.99),
    "new_per_day": (0, 100_000),
    "reviews_per_day": (0, 1_000_000),
    "rollover_hour": (0, 23),
    "maximum_interval_days": (1, 36500),
    "leech_lapses": (1, 1000),
    "learn_ahead_minutes": (0, 1440),
}


def _assign(settings: Settings, key: str, value: object, where: str) -> None:
    prefix = f"{where}: " if where else ""
    if key == "fitted":
        settings.fitted = value if isinstance(value, dict) else {}
        return
    if key == "decks":
        settings.decks = _deck_settings(value, prefix)
        return
    if key not in names():
        raise FlashcardsError(f"{prefix}unknown setting {key!r} (known: {', '.join(names())})")
    default = getattr(Settings(), key)
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise FlashcardsError(f"{prefix}{key} must be true or false")
    elif isinstance(default, list):
        if not isinstance(value, list) or not all(_is_number(item) and item >= 0 for item in value):
            raise FlashcardsError(f"{prefix}{key} must be a list of non-negative numbers")
        if key == "parameters" and value:
            _check_parameters(value, prefix)
        elif key == "easy_days":
            _check_easy_days(value, prefix)
        elif key != "parameters":
            _check_steps(key, value, prefix)
        value = [float(item) for item in value]
    else:
        if not _is_number(value):
            raise FlashcardsError(f"{prefix}{key} must be a number")
        low, high = _RANGES[key]
        if not low <= value <= high:
            raise FlashcardsError(f"{prefix}{key} must be between {low} and {high}, not {_shown(value)}")
        if isinstance(default, int):
            if value != int(value):
                raise FlashcardsError(f"{prefix}{key} must be a whole number, not {_shown(value)}")
            value = int(value)
        else:
            value = float(value)
    setattr(settings, key, value)


def _shown(value: float) -> str:
    """A number as the person typed it: -1, not -1.0."""
    return str(int(value)) if isinstance(value, float) and value.is_integer() and abs(value) < 1e15 else str(value)


def _deck_settings(value: object, prefix: str) -> dict:
    """`decks` as read: each deck's own settings checked as the store's are."""
    if not isinstance(value, dict) or not all(isinstance(own, dict) for own in value.values()):
        raise FlashcardsError(f"{prefix}decks must map deck names to their settings")
    checked: dict = {}
    for deck, own in value.items():
        scratch, kept = Settings(), {}
        for key, item in own.items():
            if key != "fitted" and key not in DECK_KEYS:
                raise FlashcardsError(f"{prefix}decks: {deck}: {key!r} is the same for every deck")
            _assign(scratch, key, item, f"{prefix}decks: {deck}".removeprefix(": "))
            kept[key] = getattr(scratch, key)
        if kept:
            checked[str(deck)] = kept
    return checked


def _check_easy_days(values: list, prefix: str) -> None:
    if len(values) != 7 or not all(0 <= value <= 1 for value in values):
        raise FlashcardsError(f"{prefix}easy_days must be 7 numbers from 0 to 1, Monday first (1 normal, 0.5 reduced, "
                              f"0 minimum), not {' '.join(f'{value:g}' for value in values) or 'none'}")


def _check_steps(key: str, steps: list, prefix: str) -> None:
    if len(steps) > MAX_STEPS:
        raise FlashcardsError(f"{prefix}{key}: at most {MAX_STEPS} steps, not {len(steps)}")
    for step in steps:
        if not MIN_STEP_MINUTES <= step <= MAX_STEP_MINUTES:
            raise FlashcardsError(f"{prefix}{key}: each step must be between 1 second ({MIN_STEP_MINUTES:.4f}) and "
                                  f"{MAX_STEP_MINUTES} minutes (100 years), not {step:g}")


# The bounds FSRS-6 holds each parameter within: py-fsrs's LOWER/UPPER_BOUNDS_PARAMETERS, the same as fsrs-rs's
# parameter clipper. Written out so that reading settings never imports an FSRS library (start-up time);
# tests/test_settings_bounds.py checks them against py-fsrs.
_LOWER = (0.001, 0.001, 0.001, 0.001, 1.0, 0.001, 0.001, 0.001, 0.0, 0.0, 0.001, 0.001, 0.001, 0.001, 0.0, 0.0, 1.0,
          0.0, 0.0, 0.0, 0.1)
_UPPER = (100.0, 100.0, 100.0, 100.0, 10.0, 4.0, 4.0, 0.75, 4.5, 0.8, 3.5, 5.0, 0.25, 0.9, 4.0, 1.0, 6.0, 2.0, 2.0,
          0.8, 0.8)


def parameter_bounds() -> tuple[tuple[float, ...], tuple[float, ...]]:
    """The bounds FSRS-6 holds each parameter within (lower, upper)."""
    return _LOWER, _UPPER


def _check_parameters(values: list, prefix: str) -> None:
    if len(values) != PARAMETER_COUNT:
        raise FlashcardsError(f"{prefix}parameters must be {PARAMETER_COUNT} numbers (FSRS-6), not {len(values)}")
    lower, upper = parameter_bounds()
    for index, (value, low, high) in enumerate(zip(values, lower, upper, strict=True)):
        if not low <= value <= high:
            raise FlashcardsError(f"{prefix}parameters[{index}] must be between {low:g} and {high:g} (FSRS's bounds), "
                                  f"not {value:g}")


def _is_number(value: object) -> TypeGuard[int | float]:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return isinstance(value, int) or math.isfinite(value)  # a huge int is caught by the bounds, never made a float


DESCRIPTIONS = {  # shown by `flashcards config --help`, one line each: short enough for 80 columns
    "desired_retention": "chance of recall to aim for, 0.7-0.99 (Anki: 0.9)",
    "parameters": "FSRS's 21 numbers, `default` or fitted (Anki: default)",
    "new_per_day": "new cards a study day (Anki: 20)",
    "reviews_per_day": "reviews a study day (Anki: 200)",
    "rollover_hour": "the hour a study day starts, 0-23 (Anki: 4)",
    "learning_steps_minutes": "steps for new cards, minutes (Anki: 1 10)",
    "relearning_steps_minutes": "steps after a lapse, minutes (Anki: 10)",
    "maximum_interval_days": "the longest interval, days (Anki: 36500)",
    "fuzz": "spread review intervals a little, true/false (Anki: true)",
    "leech_lapses": "lapses that suspend a card as a leech (Anki: 8)",
    "learn_ahead_minutes": "learning cards this soon are shown early (Anki: 20)",
    "load_balance": "fuzz picks the less loaded days, true/false (Anki: true)",
    "easy_days": "workload per weekday, Monday first, 0-1 (Anki: 1 1 1 1 1 1 1)",
}


def describe() -> str:
    """Every setting a person can change, one a line, for help text."""
    return "\n".join(f"{name}: {DESCRIPTIONS.get(name, '')}" for name in names() if name != "fitted")
