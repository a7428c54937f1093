"""Files on disk, the small shared home of decks and importers: bounded reads and encodings (textio), atomic
writes that keep a person's file whole (atomic), walking the paths a person gives (walk).

May import: errors. Nothing else of flashcards: decks, importers, store and anki all import this.
"""
