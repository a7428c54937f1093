"""Shared fixtures: running the real CLI, and importing packages into a real Anki collection."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
_TEST_STORE = Path(tempfile.mkdtemp(prefix="flashcards-tests-")) / "store.db"


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None, stdin: str | None = None) -> Result:
    """Run `python -m flashcards ARGS` as a person would, in a subprocess."""
    # a store of the tests' own unless a test names one: never the person's real store
    full_env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200", "FLASHCARDS_DB": str(_TEST_STORE), **(env or {})}
    full_env.pop("FLASHCARDS_DEBUG", None)
    proc = subprocess.run(
        [sys.executable, "-m", "flashcards", *args], cwd=cwd, env=full_env, input=stdin,
        capture_output=True, text=True, timeout=120, check=False,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture
def anki_collection(tmp_path):
    """A fresh, real Anki collection (the `anki` package's Rust backend)."""
    from anki.collection import Collection

    folder = tmp_path / "anki"
    folder.mkdir()
    col = Collection(str(folder / "collection.anki2"))
    yield col
    col.close()


def import_apkg(col, path: Path):
    """Import a package with Anki's default options; returns the import log."""
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    request = ImportAnkiPackageRequest(package_path=str(path), options=ImportAnkiPackageOptions())
    return col.import_anki_package(request).log


@pytest.fixture
def reviewed(tmp_path):
    """(deck, store): a deck of four cards, two of them answered through the real CLI."""
    from reviewing import write_deck

    deck = tmp_path / "deck.yaml"
    write_deck(deck, 4)
    db = tmp_path / "fc.db"
    assert run_cli("review", str(deck), "--db", str(db), stdin="3\n4\n").code == 0
    return deck, db


def corrupt(path: Path, start: int = 4096, end: int = 4096 * 6) -> None:
    """Overwrite a stretch of a file with junk, as a failing disk would."""
    data = bytearray(path.read_bytes())
    data[start:end] = b"\x5a" * (min(end, len(data)) - start)
    path.write_bytes(bytes(data))


@pytest.fixture
def small_disk(tmp_path):
    """A 6 MB tmpfs (as root, where mount works), unmounted after the test."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(mount)], capture_output=True,
                          check=False)
    if done.returncode != 0:
        pytest.skip(f"mount does not work here: {done.stderr.decode(errors='replace').strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(folder: Path) -> Path:
    """Fill the file system `folder` is on, to the last byte; returns the file that does it."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    try:
        for size in (1 << 16, 4096, 512, 1):
            try:
                while os.write(fd, b"\0" * size):
                    pass
            except OSError:
                pass
    finally:
        os.close(fd)
    return filler
