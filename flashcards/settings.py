"""Settings a person can see and change: a small JSON file beside the review store.

`flashcards config` shows and sets them; `flashcards optimize` writes fitted FSRS parameters here; review
sessions read them. Unknown keys and bad values are refused with one clear line.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from .atomic import write_atomic
from .errors import FlashcardsError

PARAMETER_COUNT = 21  # FSRS-6


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
    fitted: dict = field(default_factory=dict)  # when and how well the parameters were fitted

    @property
    def uses_default_parameters(self) -> bool:
        return not self.parameters


def settings_path(db_path: Path) -> Path:
    """Where the settings of a store live: `NAME.settings.json` beside `NAME.db`."""
    return db_path.with_name(f"{db_path.stem}.settings.json")


def load_settings(path: Path) -> Settings:
    """Read settings; a missing file gives the defaults."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Settings()
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FlashcardsError(f"{path}: cannot read settings ({exc})") from None
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
    return [f.name for f in fields(Settings) if f.name != "fitted"]


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
    if key not in names():
        raise FlashcardsError(f"{prefix}unknown setting {key!r} (known: {', '.join(names())})")
    default = getattr(Settings(), key)
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise FlashcardsError(f"{prefix}{key} must be true or false")
    elif isinstance(default, list):
        if not isinstance(value, list) or not all(_is_number(item) and item >= 0 for item in value):
            raise FlashcardsError(f"{prefix}{key} must be a list of non-negative numbers")
        if key == "parameters" and value and len(value) != PARAMETER_COUNT:
            raise FlashcardsError(f"{prefix}parameters must be {PARAMETER_COUNT} numbers (FSRS-6), not {len(value)}")
        value = [float(item) for item in value]
    else:
        if not _is_number(value):
            raise FlashcardsError(f"{prefix}{key} must be a number")
        low, high = _RANGES[key]
        if not low <= value <= high:
            raise FlashcardsError(f"{prefix}{key} must be between {low} and {high}, not {value}")
        if isinstance(default, int):
            if value != int(value):
                raise FlashcardsError(f"{prefix}{key} must be a whole number, not {value}")
            value = int(value)
        else:
            value = float(value)
    setattr(settings, key, value)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


DESCRIPTIONS = {  # shown by `flashcards config --help`
    "desired_retention": "the chance of recall to schedule for, 0.7-0.99 (Anki: 0.9)",
    "parameters": "FSRS parameters: `default`, or the numbers `optimize` fitted",
    "new_per_day": "new cards a study day",
    "reviews_per_day": "reviews a study day",
    "rollover_hour": "the hour a study day starts, local time (Anki: 4)",
    "learning_steps_minutes": "learning steps for new cards, in minutes",
    "relearning_steps_minutes": "relearning steps after a lapse, in minutes",
    "maximum_interval_days": "the longest interval, in days",
    "fuzz": "spread review intervals a little, as Anki does (true/false)",
    "leech_lapses": "lapses that make a card a leech (suspended)",
}


def describe() -> str:
    """Every setting a person can change, one a line, for help text."""
    return "\n".join(f"{name}: {DESCRIPTIONS.get(name, '')}" for name in names() if name != "fitted")
