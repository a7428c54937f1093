"""`flashcards import-anki`: a package from Anki read once into the store (its answers on our cards merged,
never twice; memory states recomputed) and Anki's own notes brought into a deck.

May import: errors, model, clock, settings, store, decks, scheduling, anki (to read the package). Never ui,
commands.
"""
