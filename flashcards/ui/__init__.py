"""Everything that draws: console, review screen, stats (terminal and HTML), reports, formats; rich is used
from here only.

May import: anything below it (errors, model, clock, settings, files, decks, review, stats, and the result types
of import_anki, export and sync). Never commands, cli.
"""
