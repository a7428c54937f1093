"""Single keypresses on every OS: cbreak mode through termios on POSIX, msvcrt on Windows.

`single_keys()` is a context manager yielding a `KeyReader`; `reader.read(timeout)` returns one key name or
None when `timeout` seconds pass without a key. Key names: the character typed ("a", "3", " ", "\\r",
"\\x03"), or "up", "down", "pgup", "pgdn", "home", "end", "esc"; "resize" when the window changed size or
the program was continued after Ctrl-Z (the screen must be redrawn). `termios` is imported only on the
POSIX path; where neither it nor msvcrt is available, `single_keys` raises `KeysUnavailable`.

On POSIX the terminal is restored on exit, on SIGTERM (which then ends the program with status 143) and
before Ctrl-Z suspends the program; cbreak mode comes back when it is continued.
"""

from __future__ import annotations

import codecs
import os
import shutil
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from typing import Protocol, TextIO

ESCAPES: dict[str, str] = {
    "\x1b[A": "up", "\x1b[B": "down", "\x1b[C": "right", "\x1b[D": "left",
    "\x1bOA": "up", "\x1bOB": "down", "\x1bOC": "right", "\x1bOD": "left",
    "\x1b[5~": "pgup", "\x1b[6~": "pgdn",
    "\x1b[H": "home", "\x1b[F": "end", "\x1bOH": "home", "\x1bOF": "end",
    "\x1b[1~": "home", "\x1b[4~": "end", "\x1b[7~": "home", "\x1b[8~": "end",
}
WINDOWS_KEYS: dict[str, str] = {"H": "up", "P": "down", "K": "left", "M": "right", "I": "pgup", "Q": "pgdn",
                                "G": "home", "O": "end"}
ESC_WAIT = 0.05  # seconds to wait for the rest of an escape sequence before taking ESC as a key


class KeysUnavailable(RuntimeError):
    """Single keys cannot be read here (no termios and no msvcrt)."""


class KeyReader(Protocol):
    def paused(self) -> AbstractContextManager[None]:
        """The terminal in its normal mode inside the block (for an editor)."""
        ...

    def read(self, timeout: float | None = None) -> str | None:
        """The next key name, or None after `timeout` seconds without one."""
        ...


def split_keys(text: str) -> tuple[list[str], str]:
    """Key names in `text` as read from a POSIX terminal, and an unfinished escape sequence left over."""
    keys: list[str] = []
    i = 0
    while i < len(text):
        if text[i] != "\x1b":
            keys.append(text[i])
            i += 1
            continue
        end = _sequence_end(text, i)
        if end is None:
            return keys, text[i:]
        sequence = text[i:end]
        keys.append(ESCAPES.get(sequence, "esc" if sequence == "\x1b" else ""))
        i = end
    return keys, ""


def _sequence_end(text: str, start: int) -> int | None:
    """Where the escape sequence at `start` ends (None: not complete yet)."""
    if start + 1 >= len(text):
        return None
    kind = text[start + 1]
    if kind == "O":
        return start + 3 if start + 2 < len(text) else None
    if kind != "[":
        return start + 1  # ESC followed by a plain key: ESC alone, the key next
    for i in range(start + 2, len(text)):
        if "\x40" <= text[i] <= "\x7e":  # the final byte of a CSI sequence
            return i + 1
    return None


def windows_key(first: str, second: str | None) -> str:
    """The key name for msvcrt's getwch() result (`second`: the code after a "\\x00"/"\\xe0" prefix)."""
    if first in ("\x00", "\xe0"):
        return WINDOWS_KEYS.get(second or "", "")
    return "esc" if first == "\x1b" else first


@contextmanager
def single_keys(stream: TextIO | None = None, *, on_stop: Callable[[], None] | None = None,
                on_continue: Callable[[], None] | None = None) -> Iterator[KeyReader]:
    """Read single keys from the terminal `stream` (standard input by default).

    `on_stop` runs before Ctrl-Z suspends the program (after cooked mode is back), `on_continue` after it
    is continued (cbreak mode is back by then); a "resize" key follows, so the screen is redrawn.
    """
    stream = stream or sys.stdin
    if os.name == "nt":
        try:
            import msvcrt
        except ImportError as error:
            raise KeysUnavailable("msvcrt is not available") from error
        yield _WindowsKeys(msvcrt)
        return
    try:
        import termios
        import tty
    except ImportError as error:
        raise KeysUnavailable("termios is not available") from error
    with _posix_keys(stream.fileno(), termios, tty, on_stop, on_continue) as reader:
        yield reader


class _WindowsKeys:
    """msvcrt polling; a change of the console's size is reported as "resize"."""

    def __init__(self, msvcrt) -> None:
        self.msvcrt = msvcrt
        self.size = shutil.get_terminal_size()

    def read(self, timeout: float | None = None) -> str | None:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            size = shutil.get_terminal_size()
            if size != self.size:
                self.size = size
                return "resize"
            if self.msvcrt.kbhit():
                first = self.msvcrt.getwch()
                second = self.msvcrt.getwch() if first in ("\x00", "\xe0") else None
                return windows_key(first, second)
            if deadline is not None and time.monotonic() >= deadline:
                return None
            time.sleep(0.03)

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Nothing to switch on Windows: msvcrt reads keys without changing the console's mode."""
        yield


class _PosixKeys:
    """Bytes from a terminal in cbreak mode, decoded to key names; signals wake it through a pipe."""

    def __init__(self, fd: int, wake: int, cooked: Callable[[], None] | None = None,
                 cbreak: Callable[[], None] | None = None) -> None:
        self.fd = fd
        self.wake = wake
        self._cooked = cooked
        self._cbreak = cbreak
        self.pending: list[str] = []
        self.partial = ""
        self.decoder = codecs.getincrementaldecoder("utf-8")("replace")

    def read(self, timeout: float | None = None) -> str | None:
        import select

        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.pending:
            wait = ESC_WAIT if self.partial else None
            if deadline is not None:
                left = max(0.0, deadline - time.monotonic())
                wait = left if wait is None else min(wait, left)
            ready, _, _ = select.select([self.fd, self.wake], [], [], wait)
            if self.wake in ready:
                os.read(self.wake, 64)
                return "resize"
            if self.fd in ready:
                data = os.read(self.fd, 1024)
                if not data:  # the terminal went away
                    return "\x04"
                keys, self.partial = split_keys(self.partial + self.decoder.decode(data))
                self.pending.extend(key for key in keys if key)
            elif self.partial:  # nothing followed: the escape sequence is complete as it is
                keys, _ = split_keys(self.partial + "\x00")
                self.partial = ""
                self.pending.extend(key for key in keys[:-1] if key)
            elif deadline is not None and time.monotonic() >= deadline:
                return None
        return self.pending.pop(0)

    @contextmanager
    def paused(self) -> Iterator[None]:
        """The terminal in its normal mode for a while (an editor runs), single keys again afterwards."""
        if self._cooked:
            self._cooked()
        try:
            yield
        finally:
            if self._cbreak:
                self._cbreak()


@contextmanager
def _posix_keys(fd: int, termios, tty, on_stop, on_continue) -> Iterator[_PosixKeys]:
    saved = termios.tcgetattr(fd)
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)

    def wake() -> None:
        with suppress(OSError):  # the pipe is full: a wake-up is pending already
            os.write(wake_write, b"!")

    def cooked() -> None:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)

    def on_winch(signum, frame) -> None:
        wake()

    def on_tstp(signum, frame) -> None:
        cooked()
        if on_stop:
            on_stop()
        signal.signal(signal.SIGTSTP, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTSTP)  # stops here until `fg` (or is ignored: no job control)
        signal.signal(signal.SIGTSTP, on_tstp)
        on_cont(signum, frame)

    def on_cont(signum, frame) -> None:
        tty.setcbreak(fd)
        if on_continue:
            on_continue()
        wake()

    def on_term(signum, frame) -> None:
        raise SystemExit(128 + signum)  # unwinds through the finally blocks that restore the terminal

    handlers = {signal.SIGWINCH: on_winch, signal.SIGTSTP: on_tstp, signal.SIGCONT: on_cont,
                signal.SIGTERM: on_term}
    previous = {signum: signal.signal(signum, handler) for signum, handler in handlers.items()}
    tty.setcbreak(fd)
    try:
        yield _PosixKeys(fd, wake_read, cooked, lambda: tty.setcbreak(fd))
    finally:
        cooked()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        os.close(wake_read)
        os.close(wake_write)


__all__ = ["KeyReader", "KeysUnavailable", "single_keys", "split_keys", "windows_key"]
