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
            found = _without_companions(sorted(
                item for item in candidates
                if item.is_file() and wanted(item)
                and not any(part.startswith(".") for part in item.relative_to(path).parts)
            ), path)
            if not found:
                raise FlashcardsError(f"{path}: folder holds no {kind}")
            files.extend(found)
        elif path.exists():
            files.append(path)
        else:
            raise FlashcardsError(f"{path}: no such {missing}")
    return files


_COMPANIONS = ("-wal", "-shm", "-journal")  # a database's, beside it
_BOOKS = frozenset((".epub", ".kepub", ".pdf", ".mobi", ".azw", ".azw3", ".azw4", ".kfx", ".prc", ".pdb", ".fb2", ".fbz",
                    ".djvu", ".djv", ".cbz", ".cbr", ".cbt", ".chm", ".xps", ".oxps", ".doc", ".docx", ".rtf", ".odt"))


def _without_companions(found: list[Path], root: Path) -> list[Path]:
    """A folder's files less those that belong to another file beside them, or to the app that keeps it, and are
    no input of their own: a database's -wal, -shm and -journal (read with it); in a KOReader `.sdr` folder all
    but the book's metadata (*.lua: not the .old backups, covers, or custom_metadata.lua, which is read with
    it); where KOReader's `.sdr` folders are, the books (their highlights are in the folders); in Apple Books'
    Documents folder all but its AEAnnotation databases (its BKLibrary is read with them)."""
    present = set(found)
    koreader = any(part.endswith(".sdr") for item in found for part in item.relative_to(root).parts[:-1])
    apple = {item.parent.parent for item in found
             if item.parent.name == "AEAnnotation" and item.name.startswith("AEAnnotation") and item.suffix == ".sqlite"}
    kept = []
    for item in found:
        name = item.name
        if any(name.endswith(end) and item.with_name(name[: -len(end)]) in present for end in _COMPANIONS):
            continue
        if item.parent.name.endswith(".sdr"):
            if not name.endswith(".lua") or name == "custom_metadata.lua":
                continue
        elif koreader and (item.suffix.lower() in _BOOKS or item.with_suffix(".sdr").is_dir()):
            continue
        if item.parent.name != "AEAnnotation" and any(folder in item.parents for folder in apple):
            continue
        kept.append(item)
    return kept
