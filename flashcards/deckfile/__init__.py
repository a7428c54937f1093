"""Deck files: finding them and telling whether one changed (here, without YAML: kept light for start-up);
reader.py parses one, writer.py writes one."""

from __future__ import annotations

from pathlib import Path

from ..errors import FlashcardsError


def deck_files(paths: list[Path]) -> list[Path]:
    """Deck files as given, folders as the *.yaml files in them (sorted); a missing path is an error."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted([*path.glob("*.yaml"), *path.glob("*.yml")])
            if not found:
                raise FlashcardsError(f"{path}: folder holds no deck files (*.yaml)")
            files.extend(found)
        elif path.exists():
            files.append(path)
        else:
            raise FlashcardsError(f"{path}: no such deck file")
    return files


def file_state(path: Path) -> tuple[int, int] | None:
    """What a deck file looks like on disk (modification time, size), or None when it does not exist."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return info.st_mtime_ns, info.st_size
