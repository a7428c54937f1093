"""flashcards: spaced repetition for the passages you highlighted."""

__version__ = "0.1.0"
