"""Files named on the command line: files as given, folders as the files in them (hidden ones skipped)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from ..errors import FlashcardsError


def walk(paths: Iterable[Path], wanted: Callable[[Path], bool], *, recursive: bool, kind: str,
         missing: str) -> list[Path]:
    """Each path that is a file, and each folder's files that `wanted` keeps, sorted.

    `kind` names what a folder should hold ("deck files (*.yaml)"), `missing` what a path should be ("deck
    file"), for the one-line errors: a folder holding none, a path that does not exist.
    """
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            candidates = path.rglob("*") if recursive else path.iterdir()
            found = sorted(
                item for item in candidates
                if item.is_file() and wanted(item)
                and not any(part.startswith(".") for part in item.relative_to(path).parts)
            )
            if not found:
                raise FlashcardsError(f"{path}: folder holds no {kind}")
            files.extend(found)
        elif path.exists():
            files.append(path)
        else:
            raise FlashcardsError(f"{path}: no such {missing}")
    return files
