"""Deck files: finding them and telling whether one changed (here, without YAML: kept light for start-up);
reader.py parses one, writer.py writes one."""

from __future__ import annotations

from pathlib import Path

from ...files.walk import walk


def deck_files(paths: list[Path]) -> list[Path]:
    """Deck files as given, folders as the *.yaml files in them (sorted); a missing path is an error."""
    return walk(paths, lambda path: path.suffix in (".yaml", ".yml"), recursive=False,
                kind="deck files (*.yaml)", missing="deck file")


def file_state(path: Path) -> tuple[int, int] | None:
    """What a deck file looks like on disk (modification time, size), or None when it does not exist."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return info.st_mtime_ns, info.st_size
