"""Decks: the YAML files a person edits, and everything that reads or changes them.

deckfile/ is the format itself (finding files, the streamed reader with file:line errors, the atomic writer,
appends as text, the cut per card, one card edited in place); locks.py a deck's lock across read-merge-write;
open_decks.py the decks a command opens through the store's cache, refresh.py re-parsing only changed cards;
merge.py highlights into a deck (stable ids, duplicates merged, the convert job); card_edit.py and
card_finder.py one card edited where it lives, cards found by text, tag or state.

May import: errors, model, clock, files, importers (merge reads highlights) and store (the deck cache).
deckfile/ and locks.py import only errors, model and files, so the store could use them. Never scheduling,
review, anki, ui, commands.
"""
