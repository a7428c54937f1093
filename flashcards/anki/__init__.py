"""The adapter to Anki's files and library, and nothing else: packages out (genanki), packages in (zip + zstd +
sqlite3), a live collection (the anki library), and the note type they all share.

It may import model, errors, clock and files; never store, decks, scheduling, ui or commands.
"""
