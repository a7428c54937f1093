"""Review-log ids for millions of answers sent to Anki, as anki.scheduling_out.free_revlog_ids picks them (each
moment moved up by 1 ms while its id is taken, in time order), without sorting millions of Python ints at once:
the moments are walked a window of time at a time, in time order, so the ids are the same."""

from __future__ import annotations

from array import array
from collections.abc import Callable

WINDOW = 200_000  # answers a window holds on average
_LOOK_AHEAD = 64  # ids looked up at once past a taken one


def free_ids(wanted: array, present: Callable[[list[int]], set[int]]) -> array:
    """The revlog id of each moment of `wanted` (ms), as free_revlog_ids gives it; `present` says which of some
    ids Anki's log holds."""
    count = len(wanted)
    ids = array("q", bytes(8 * count))
    if not count:
        return ids
    low, high = min(wanted), max(wanted)
    windows = max(1, min(count // WINDOW, high - low + 1))
    width = (high - low) // windows + 1
    window_of = array("i", ((moment - low) // width for moment in wanted))  # windows <= answers / WINDOW
    previous: int | None = None
    for window in range(windows):
        order = sorted((i for i, w in enumerate(window_of) if w == window), key=wanted.__getitem__)
        previous = _spread(wanted, order, ids, previous, present)
    return ids


def _spread(wanted: array, order: list[int], ids: array, previous: int | None,
            present: Callable[[list[int]], set[int]]) -> int | None:
    """The ids of one window's moments (`order`: theirs in time order), after `previous`; the last id given."""
    start = previous
    guesses = []
    for index in order:
        free = wanted[index] if previous is None or wanted[index] > previous else previous + 1
        guesses.append(free)
        previous = free
    held = present(guesses)
    if not held:
        for index, free in zip(order, guesses, strict=True):
            ids[index] = free
        return previous
    checked = set(guesses)
    previous = start
    for index in order:
        free = wanted[index] if previous is None or wanted[index] > previous else previous + 1
        while True:
            if free not in checked:  # moved past the first guesses: look a little way ahead at once
                ahead = list(range(free, free + _LOOK_AHEAD))
                held.update(present(ahead))
                checked.update(ahead)
            if free not in held:
                break
            free += 1
        ids[index] = previous = free
    return previous
