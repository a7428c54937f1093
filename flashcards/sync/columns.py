"""A sync's schedules to write, kept as columns: 300,000 ScheduleWrite objects would hold ~100 MB, the columns
~25 MB; each one is made again, equal to the one added, as the writer goes through them."""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import overload

from ..anki.live_model import STATES, ScheduleBatch, ScheduleWrite

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_NO_TIME = -(1 << 63)
_NAN = math.nan


def _time(moment: datetime | None) -> int:
    return _NO_TIME if moment is None else (moment - _EPOCH) // _US  # exact: no float on the way


def _moment(value: int) -> datetime | None:
    return None if value == _NO_TIME else _EPOCH + value * _US


def _real(value: float | None) -> float:
    return _NAN if value is None else value


def _maybe(value: float) -> float | None:
    return None if math.isnan(value) else value


class ScheduleColumns(ScheduleBatch):
    """ScheduleWrites added one at a time, held as columns."""

    def __init__(self) -> None:
        self._guids: list[str] = []
        self._ints = array("q")  # per schedule: state, due, interval, reps, lapses, last review, flags
        self._reals = array("d")  # per schedule: stability, difficulty, desired retention, decay (NaN: none)

    def append(self, write: ScheduleWrite) -> None:
        self._guids.append(write.guid)
        self._ints.extend((STATES.index(write.state), _time(write.due), write.interval_days, write.reps,
                           write.lapses, _time(write.last_review), write.suspended | write.buried << 1))
        self._reals.extend((_real(write.stability), _real(write.difficulty), _real(write.desired_retention),
                            _real(write.decay)))

    @property
    def guids(self) -> Sequence[str]:
        return self._guids

    def __len__(self) -> int:
        return len(self._guids)

    def _make(self, index: int) -> ScheduleWrite:
        state, due, interval, reps, lapses, last, flags = self._ints[index * 7:index * 7 + 7]
        stability, difficulty, retention, decay = (_maybe(value) for value in self._reals[index * 4:index * 4 + 4])
        return ScheduleWrite(self._guids[index], STATES[state], _moment(due), interval, reps, lapses, stability,
                             difficulty, retention, _moment(last), bool(flags & 1), bool(flags & 2), decay)

    def __iter__(self) -> Iterator[ScheduleWrite]:
        return (self._make(index) for index in range(len(self)))

    @overload
    def __getitem__(self, index: int) -> ScheduleWrite: ...

    @overload
    def __getitem__(self, index: slice) -> list[ScheduleWrite]: ...

    def __getitem__(self, index: int | slice) -> ScheduleWrite | list[ScheduleWrite]:
        if isinstance(index, slice):
            return [self._make(i) for i in range(*index.indices(len(self)))]
        if not -len(self) <= index < len(self):
            raise IndexError(index)
        return self._make(index % len(self))


class FlagColumns:
    """(card id, suspended, buried) of each card added, as a list of ids and a byte each: a first sync agrees the
    flags of every card (300,000 tuples would hold ~20 MB)."""

    def __init__(self) -> None:
        self._cards: list[str] = []
        self._flags = bytearray()

    def append(self, row: tuple[str, bool, bool]) -> None:
        card_id, suspended, buried = row
        self._cards.append(card_id)
        self._flags.append(suspended | buried << 1)

    def __len__(self) -> int:
        return len(self._cards)

    def __iter__(self) -> Iterator[tuple[str, bool, bool]]:
        return ((card_id, bool(flags & 1), bool(flags & 2)) for card_id, flags in zip(self._cards, self._flags,
                                                                                     strict=True))
