"""Statistics: the numbers people read in `flashcards stats` (drawing is ui/'s, SQL the store's).

numbers.py computes them from plain records; totals.py is the shape both ways share (sums per study day,
study-day arithmetic on integer timestamps) and is pure, so the store's queries return it; summed.py has
the store sum the log in SQL; source.py turns the store's rows and settings into what numbers.py needs.

May import: model, clock, settings, store (summed.py, source.py). totals.py imports nothing of flashcards.
Never decks, scheduling, review, anki, ui, commands.
"""
