"""The deck cache: each deck file's cards as last parsed, so an unchanged file is never parsed again."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass

from ..model import Card, content_fingerprint
from .rows import marks, tags_from, tags_to


@dataclass(frozen=True)
class CachedDeck:
    """A deck file as the store last read it."""

    path: str
    name: str
    tags: list[str]
    mtime_ns: int
    size: int
    cards: int
    layout: str | None = None  # the file's header as cut into chunks (deckfile.chunks.Layout.key), if it was


class DeckCache:
    """The store's copy of the deck files (mixed into Store)."""

    db: sqlite3.Connection
    transaction: Callable

    def cached_deck(self, path: str) -> CachedDeck | None:
        """What the store knows of a deck file, or None."""
        row = self.db.execute("SELECT path, name, tags, mtime_ns, size, cards, layout FROM decks WHERE path = ?", (path,)).fetchone()
        return None if row is None else CachedDeck(row[0], row[1], tags_from(row[2]), *row[3:])

    def deck_names(self) -> list[str]:
        """The names of every deck the store has read, each once, sorted."""
        return [name for (name,) in self.db.execute("SELECT DISTINCT name FROM decks ORDER BY name")]

    def stage_deck(self, chunks: Sequence[str] | None = None) -> StagedDeck:
        """A deck's cards gathered one at a time (as its file is parsed) into a temporary table, then cached by
        StagedDeck.commit in one short transaction, each new card given a schedule row (state new): neither the
        cards nor the store's write lock are held while a big file is parsed. One staging at a time per store.
        `chunks`: each card's chunk hash (deckfile.chunks), kept when the commit names the file's layout."""
        return StagedDeck(self, chunks)

    def deck_cards(self, path: str) -> list[Card]:
        """The cached cards of a deck, in deck order."""
        rows = self.db.execute(
            "SELECT card_id, front, back, source, tags FROM deck_cards WHERE deck_path = ? ORDER BY position", (path,)
        )
        return [Card(r[0], r[1], r[2], r[3], tags_from(r[4])) for r in rows]

    def deck_cards_in_chunks(self, path: str, size: int = 2000) -> Iterator[list[Card]]:
        """The cached cards of a deck in deck order, `size` at a time: a big deck's text is never all held."""
        after = -1
        while True:
            rows = self.db.execute("SELECT position, card_id, front, back, source, tags FROM deck_cards "
                                   "WHERE deck_path = ? AND position > ? ORDER BY position LIMIT ?",
                                   (path, after, size)).fetchall()
            if not rows:
                return
            after = rows[-1][0]
            yield [Card(r[1], r[2], r[3], r[4], tags_from(r[5])) for r in rows]

    def deck_cards_to_export(self, path: str) -> Iterator[tuple[Card, int | None, str | None]]:
        """A cached deck's cards in deck order, each with when its content last changed and the GUID of the Anki
        note it came from (None for a card made here), read as they are asked for (one query: one snapshot)."""
        linked = self.db.execute("SELECT EXISTS (SELECT 1 FROM anki_notes)").fetchone()[0]
        guid = "(SELECT guid FROM anki_notes a WHERE a.card_id = c.card_id)" if linked else "NULL"
        rows = self.db.execute(f"SELECT card_id, front, back, source, tags, changed_at, {guid} FROM deck_cards c "
                               "WHERE deck_path = ? ORDER BY position", (path,))
        return ((Card(row[0], row[1], row[2], row[3], tags_from(row[4])), row[5], row[6]) for row in rows)

    def card_text(self, card_id: str, decks: Sequence[str]) -> tuple[str, Card] | None:
        """(deck name, card) for a card of one of the given decks."""
        row = self.db.execute(
            f"SELECT d.name, c.card_id, c.front, c.back, c.source, c.tags FROM deck_cards c INDEXED BY deck_cards_card "
            f"JOIN decks d ON d.path = c.deck_path "
            f"WHERE c.card_id = ? AND c.deck_path IN ({marks(decks)}) LIMIT 1", (card_id, *decks),
        ).fetchone()
        return None if row is None else (row[0], Card(row[1], row[2], row[3], row[4], tags_from(row[5])))

    def deck_card_ids(self, path: str) -> list[str]:
        """The ids of a cached deck's cards, in deck order."""
        return [row[0] for row in self.db.execute(
            "SELECT card_id FROM deck_cards INDEXED BY deck_cards_order WHERE deck_path = ? ORDER BY position", (path,))]

    def card_deck(self, card_id: str, decks: Sequence[str]) -> str | None:
        """The first of the given decks (store keys) holding the card."""
        row = self.db.execute(
            f"SELECT deck_path FROM deck_cards WHERE card_id = ? AND deck_path IN ({marks(decks)}) LIMIT 1",
            (card_id, *decks),
        ).fetchone()
        return None if row is None else row[0]

    def replace_cached_card(self, path: str, card: Card, mtime_ns: int, size: int) -> None:
        """The cached copy of one card edited in place, and its deck file's new state (nothing else re-read)."""
        with self.transaction() as db:
            db.execute(
                "UPDATE deck_cards SET front = ?, back = ?, source = ?, tags = ?, fingerprint = ?, "
                "changed_at = max(?, coalesce(changed_at, 0) + 1) WHERE deck_path = ? AND card_id = ?",
                (card.front, card.back, card.source, tags_to(card.tags), content_fingerprint(card), int(time.time()),
                 path, card.id),
            )
            # the runs of chunks no longer match the file's bytes: the next hand edit cuts the file again
            db.execute("UPDATE decks SET mtime_ns = ?, size = ?, groups = NULL WHERE path = ?", (mtime_ns, size, path))

    def chunk_digests(self, path: str, first: int = 0, last: int | None = None) -> list[str | None]:
        """Each cached card's chunk hash, in deck order (those at positions `first` to `last`, excluded, when given)."""
        return [row[0] for row in self.db.execute(
            "SELECT chunk FROM deck_cards INDEXED BY deck_cards_order WHERE deck_path = ? AND position >= ? "
            "AND position < ? ORDER BY position", (path, first, (1 << 62) if last is None else last))]

    def deck_groups(self, path: str) -> bytes | None:
        """The runs of chunks of a cached deck, hashed (decks.deckfile.chunks.Groups, as bytes), if kept."""
        row = self.db.execute("SELECT groups FROM decks WHERE path = ?", (path,)).fetchone()
        return None if row is None else row[0]

    def cached_cards_at(self, path: str, positions: Iterable[int]) -> dict[int, Card]:
        """The cached cards at these positions of a deck."""
        found = {}
        for position in positions:
            row = self.db.execute("SELECT card_id, front, back, source, tags FROM deck_cards WHERE deck_path = ? "
                                  "AND position = ?", (path, position)).fetchone()
            found[position] = Card(row[0], row[1], row[2], row[3], tags_from(row[4]))
        return found

    def patch_deck(self, path: str, name: str, tags: list[str], mtime_ns: int, size: int, layout: str, count: int,
                   changed: Sequence[tuple[int, Card, str]], groups: bytes | None = None) -> str | None:
        """Update a cached deck in place: `changed` (position, card, chunk hash) replaces those positions, and
        positions from `count` on go; new cards get a schedule row. `groups`: the file's runs of chunks, hashed.

        Returns a card id the deck now holds twice, leaving the cache untouched, or None when all is done.
        """
        now = int(time.time())
        try:
            self._patch(path, name, tags, mtime_ns, size, layout, count, changed, now, groups)
        except _Duplicate as duplicate:
            return duplicate.card_id
        return None

    def _patch(self, path: str, name: str, tags: list[str], mtime_ns: int, size: int, layout: str, count: int,
               changed: Sequence[tuple[int, Card, str]], now: int, groups: bytes | None) -> None:
        with self.transaction() as db:
            ids = list(dict.fromkeys(card.id for _, card, _ in changed))
            before: dict[str, tuple] = {}
            for start in range(0, len(ids), 500):
                part = ids[start:start + 500]
                before.update((row[0], (row[1], row[2])) for row in db.execute(
                    f"SELECT card_id, fingerprint, changed_at FROM deck_cards INDEXED BY deck_cards_card WHERE deck_path = ? "
                    f"AND card_id IN ({marks(part)})",
                    (path, *part)))
            db.execute("DELETE FROM deck_cards WHERE deck_path = ? AND position >= ?", (path, count))
            db.executemany("DELETE FROM deck_cards WHERE deck_path = ? AND position = ?",
                           ((path, position) for position, _, _ in changed))

            def rows():
                for position, card, chunk in changed:
                    fingerprint = content_fingerprint(card)
                    old_fingerprint, old_time = before.get(card.id, (None, None))
                    changed_at = old_time if fingerprint == old_fingerprint and old_time else max(now, (old_time or 0) + 1)
                    yield (path, position, card.id, card.front, card.back, card.source, tags_to(card.tags), fingerprint,
                           changed_at, chunk)

            db.executemany(_INSERT_CARD, rows())
            for card_id in ids:
                twice = db.execute("SELECT count(*) FROM deck_cards WHERE card_id = ? AND deck_path = ?", (card_id, path))
                if twice.fetchone()[0] > 1:
                    raise _Duplicate(card_id)  # rolls the transaction back
            db.execute("UPDATE decks SET name = ?, tags = ?, mtime_ns = ?, size = ?, cards = ?, layout = ?, groups = ? "
                       "WHERE path = ?", (name, tags_to(tags), mtime_ns, size, count, layout, groups, path))
            db.executemany("INSERT OR IGNORE INTO schedule (card_id) VALUES (?)", ((card_id,) for card_id in ids))


class _Duplicate(Exception):
    """A patch would put one card id twice in a deck."""

    def __init__(self, card_id: str) -> None:
        super().__init__(card_id)
        self.card_id = card_id


_INSERT_CARD = ("INSERT INTO deck_cards (deck_path, position, card_id, front, back, source, tags, fingerprint, changed_at, "
                "chunk) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


class StagedDeck:
    """A deck file's cards on their way into the cache (see DeckCache.stage_deck)."""

    _BATCH = 1000

    def __init__(self, cache: DeckCache, chunks: Sequence[str] | None) -> None:
        self._cache = cache
        self._chunks = chunks
        self._rows: list[tuple] = []
        self.count = 0
        db = cache.db  # a temporary table lives in the connection's own temp database: no lock on the store
        db.execute("CREATE TEMP TABLE IF NOT EXISTS staged_cards (position INTEGER PRIMARY KEY, card_id TEXT, "
                   "front TEXT, back TEXT, source TEXT, tags TEXT, fingerprint TEXT, changed_at INTEGER, chunk TEXT)")
        db.execute("DELETE FROM temp.staged_cards")

    def add(self, card: Card) -> None:
        """One more card, in deck order."""
        chunk = self._chunks[self.count] if self._chunks is not None and self.count < len(self._chunks) else None
        self._rows.append((self.count, card.id, card.front, card.back, card.source, tags_to(card.tags),
                           content_fingerprint(card), chunk))
        self.count += 1
        if len(self._rows) >= self._BATCH:
            self._flush()

    def _flush(self) -> None:
        self._cache.db.executemany("INSERT INTO temp.staged_cards (position, card_id, front, back, source, tags, "
                                   "fingerprint, chunk) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", self._rows)
        self._rows = []

    def commit(self, path: str, name: str, tags: list[str], mtime_ns: int, size: int, layout: str | None,
               groups: bytes | None = None) -> None:
        """Replace the deck's cached copy with the staged cards (their chunk hashes kept only with a `layout`, as
        the runs of chunks, `groups`); a card whose content is unchanged keeps its time of change, any other gets
        a later one."""
        self._flush()
        now = int(time.time())
        try:
            with self._cache.transaction() as db:
                # later than before even within the same second, or Anki would not see the note as newer
                db.execute(
                    "UPDATE temp.staged_cards SET changed_at = coalesce((SELECT CASE WHEN o.fingerprint = "
                    "staged_cards.fingerprint AND o.changed_at THEN o.changed_at ELSE max(?1, coalesce(o.changed_at, 0) "
                    "+ 1) END FROM main.deck_cards o INDEXED BY deck_cards_card WHERE o.card_id = staged_cards.card_id "
                    "AND o.deck_path = ?2), ?1)",
                    (now, path))
                db.execute("DELETE FROM deck_cards WHERE deck_path = ?", (path,))
                db.execute("INSERT OR REPLACE INTO decks (path, name, tags, mtime_ns, size, cards, layout, groups) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           (path, name, tags_to(tags), mtime_ns, size, self.count, layout,
                            groups if layout is not None else None))
                db.execute("INSERT INTO deck_cards (deck_path, position, card_id, front, back, source, tags, fingerprint, "
                           "changed_at, chunk) SELECT ?, position, card_id, front, back, source, tags, fingerprint, "
                           "changed_at, CASE WHEN ? THEN chunk END FROM temp.staged_cards ORDER BY position",
                           (path, layout is not None))
                db.execute("INSERT OR IGNORE INTO schedule (card_id) SELECT card_id FROM deck_cards WHERE deck_path = ?",
                           (path,))
        finally:
            self.discard()

    def discard(self) -> None:
        """Let the staged cards go (also after a parse that failed: this never raises, so as not to hide why)."""
        self._rows = []
        with suppress(sqlite3.Error):
            self._cache.db.execute("DELETE FROM temp.staged_cards")
