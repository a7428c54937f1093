"""Opening text in the person's editor ($VISUAL, else $EDITOR, else a sensible default) and reading it back."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path


def editor_command() -> list[str]:
    """The editor to run, as Anki and git choose it: $VISUAL, then $EDITOR, then vi (notepad on Windows)."""
    chosen = os.environ.get("VISUAL") or os.environ.get("EDITOR") or ("notepad" if os.name == "nt" else "vi")
    return shlex.split(chosen, posix=os.name != "nt")


def edit_text(text: str, suffix: str = ".yaml") -> str | None:
    """`text` as the person left it in their editor, or None when the editor failed (exit not zero, or missing)."""
    handle, name = tempfile.mkstemp(prefix="flashcards-card-", suffix=suffix)
    path = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        try:
            finished = subprocess.run([*editor_command(), str(path)], check=False)
        except OSError:
            return None
        if finished.returncode != 0:
            return None
        return path.read_text(encoding="utf-8")
    finally:
        path.unlink(missing_ok=True)
