"""Statistics: the numbers people read in `flashcards stats` (drawing is ui/'s, SQL the store's).

numbers.py computes them from plain records; totals.py is the shape both ways share (sums per study day,
study-day arithmetic on integer timestamps) and is pure, so the store's queries return it; summed.py has
the store sum its cards and log in SQL, past_days.py the answers per study day through the past days' sums the
store keeps (store/stats_days.py); source.py turns the store's rows and settings into what numbers.py needs.

May import: model, clock, settings, store (summed.py, source.py). totals.py imports nothing of flashcards.
Never decks, scheduling, review, anki, ui, commands.
"""
