"""What every importer returns, and the options a caller may pass."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..model import Highlight


@dataclass
class ImportOptions:
    """Options for importers that need them (tables name their columns)."""

    front_col: str | None = None
    back_col: str | None = None


@dataclass
class ImportResult:
    """The highlights found in one file, with warnings (file:line: ...) and skipped entries by reason."""

    format: str
    highlights: list[Highlight] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
