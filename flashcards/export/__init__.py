"""`flashcards export`'s use of the store: each card's schedule and answers for the package (history.py), the
notes themselves, read from the deck cache as the package is written, with the GUIDs of the notes made in Anki
that cards came from (notes.py), and each note's modification time, so that a re-import in Anki updates exactly
the edited notes (note_times.py).

May import: errors, model, clock, settings, store, decks, scheduling, anki (the package writer). Never ui,
commands.
"""
