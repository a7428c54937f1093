"""A synthetic Kindle `My Clippings.txt` of a given size: many books, English and Chinese highlights, notes on
some of them, bookmarks, and highlights re-made longer (which the importer keeps only in their last version)."""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))  # the benchmark's text generator
from generate import passage

SEP = "=========="
_DATE = "Added on Monday, March 2, 2026 10:{minute:02d}:00 AM"


def write_clippings(path: Path, size: int, seed: int = 5, books: int = 400) -> int:
    """Write clippings of about `size` bytes (UTF-8, CRLF line ends as Kindles write them); returns the entries."""
    rng = random.Random(seed)
    places = [10] * books
    written = entries = 0
    with open(path, "w", encoding="utf-8", newline="\r\n") as handle:
        handle.write("\ufeff")
        while written < size:
            book = rng.randrange(books)
            title = f"Book {book} of Things" if book % 4 else f"第{book}本书"
            start = places[book]
            text = passage(rng, chinese=book % 4 == 0 or rng.random() < 0.2)
            end = start + len(text) // 40 + 1
            places[book] = end + rng.randint(1, 5)
            minute = entries % 60
            chunks = [f"{title} (Author {book})\n- Your Highlight on page {start // 15} | Location {start}-{end} | "
                      f"{_DATE.format(minute=minute)}\n\n{text}\n{SEP}\n"]
            roll = rng.random()
            if roll < 0.05:  # extended: the same place again, longer; the first version is superseded
                chunks.append(f"{title} (Author {book})\n- Your Highlight on page {start // 15} | Location {start}-"
                              f"{end + 1} | {_DATE.format(minute=minute)}\n\n{text} {passage(rng, False)}\n{SEP}\n")
            elif roll < 0.15:
                chunks.append(f"{title} (Author {book})\n- Your Note on page {start // 15} | Location {end} | "
                              f"{_DATE.format(minute=minute)}\n\n{passage(rng, rng.random() < 0.5)}\n{SEP}\n")
            elif roll < 0.18:
                chunks.append(f"{title} (Author {book})\n- Your Bookmark on page {start // 15} | Location {end} | "
                              f"{_DATE.format(minute=minute)}\n\n\n{SEP}\n")
            for chunk in chunks:
                handle.write(chunk)
                written += len(chunk.encode("utf-8")) + chunk.count("\n")
                entries += 1
    return entries


if __name__ == "__main__":
    print(write_clippings(Path(sys.argv[1]), int(float(sys.argv[2]))))
