"""Synthetic highlight exports and histories for the benchmark (and tests): realistic passage and commentary
lengths, a third Chinese."""

from __future__ import annotations

import random
from pathlib import Path

_EN_WORDS = (
    "the of and to in is that it for as with was on be by this are from at an not have which or but more "
    "attention memory reading compute scaling model training data language network theory evidence argument "
    "history author chapter passage reader highlight retention forgetting curve interval review practice "
    "structure meaning context culture economy capital labour market power knowledge science method"
).split()
_ZH_CHARS = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面"
    "而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把"
    "性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质"
)


def passage(rng: random.Random, chinese: bool) -> str:
    """One passage: 15 to 60 English words, or 25 to 90 Chinese characters."""
    if chinese:
        return "".join(rng.choice(_ZH_CHARS) for _ in range(rng.randint(25, 90))) + "。"
    words = [rng.choice(_EN_WORDS) for _ in range(rng.randint(15, 60))]
    return " ".join(words).capitalize() + "."


def write_pairs_export(path: Path, count: int, seed: int = 7) -> None:
    """A pairs-format export of `count` distinct highlights; commentaries are mostly Chinese, as in the seeds."""
    rng = random.Random(seed)
    lines = []
    for index in range(count):
        front = passage(rng, chinese=index % 3 == 0)
        back = passage(rng, chinese=rng.random() < 0.7) + " " + passage(rng, chinese=rng.random() < 0.7)
        lines += [f"{front} ({index})", back]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


_SEP = "=========="
_DATE = "Added on Monday, March 2, 2026 10:{minute:02d}:00 AM"


def write_kindle_clippings(path: Path, size: int, seed: int = 5, books: int = 400) -> int:
    """A Kindle `My Clippings.txt` of about `size` bytes: many books, English and Chinese highlights, notes on some,
    bookmarks, and highlights re-made longer (the importer keeps only their last version); UTF-8 with CRLF line
    ends, as Kindles write it. Returns the number of entries."""
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
                      f"{_DATE.format(minute=minute)}\n\n{text}\n{_SEP}\n"]
            roll = rng.random()
            if roll < 0.05:  # extended: the same place again, longer; the first version is superseded
                chunks.append(f"{title} (Author {book})\n- Your Highlight on page {start // 15} | Location {start}-"
                              f"{end + 1} | {_DATE.format(minute=minute)}\n\n{text} {passage(rng, False)}\n{_SEP}\n")
            elif roll < 0.15:
                chunks.append(f"{title} (Author {book})\n- Your Note on page {start // 15} | Location {end} | "
                              f"{_DATE.format(minute=minute)}\n\n{passage(rng, rng.random() < 0.5)}\n{_SEP}\n")
            elif roll < 0.18:
                chunks.append(f"{title} (Author {book})\n- Your Bookmark on page {start // 15} | Location {end} | "
                              f"{_DATE.format(minute=minute)}\n\n\n{_SEP}\n")
            for chunk in chunks:
                handle.write(chunk)
                written += len(chunk.encode("utf-8")) + chunk.count("\n")
                entries += 1
    return entries


def write_history(db_path: Path, deck_path: Path, answers_per_card: int, seed: int = 11) -> int:
    """A review history of about `answers_per_card` answers a card over the past year, straight into the store.

    Each card is learned once, then reviewed at growing intervals (mostly Good, some Again); its schedule
    ends as a review card due somewhere between ten days ago and a month ahead, so `due` finds a realistic
    backlog. Returns the number of answers written.
    """
    from datetime import UTC, datetime, timedelta

    from flashcards.decks.open_decks import open_decks
    from flashcards.model import CardRow, LoggedAnswer, Schedule, State
    from flashcards.store import Store

    rng = random.Random(seed)
    now = datetime.now(UTC)
    with Store(db_path) as store:
        (deck,) = open_decks(store, [deck_path])
        ids = store.deck_card_ids(deck.key)
        log, schedules = [], []
        for card_id in ids:
            start = now - timedelta(days=rng.uniform(200, 365))
            stability, lapses, offsets, answers = 2.0, 0, [0.0], []
            states = [State.NEW, *([State.REVIEW] * (answers_per_card - 1))]
            for state_before in states:
                rating = 1 if state_before == State.REVIEW and rng.random() < 0.1 else 3
                lapses += rating == 1 and state_before == State.REVIEW
                stability = max(1.0, stability * (0.5 if rating == 1 else 1.8))
                answers.append((state_before, rating, stability))
                offsets.append(offsets[-1] + stability)
            scale = (now - start).total_seconds() / 86400 / offsets[-1]  # the whole history fits in the past
            for (state_before, rating, stability), offset, following in zip(answers, offsets, offsets[1:], strict=False):
                moment = start + timedelta(days=offset * scale)
                due = start + timedelta(days=following * scale)
                state_after = State.LEARNING if state_before == State.NEW else State.REVIEW
                log.append(LoggedAnswer(0, card_id, moment, rating, rng.randint(3000, 20000), state_before, state_after,
                                        due, stability, 5.0))
            due = now + timedelta(days=rng.uniform(-10, 30))
            last = start + timedelta(days=offsets[-2] * scale)
            schedules.append(CardRow(card_id, Schedule(State.REVIEW, None, stability, 5.0, due, last, answers_per_card, lapses)))
        with store.transaction() as db:
            store.insert_answers(db, log)
            store.write_cards(db, schedules)
        return len(log)
