"""`python -m flashcards` runs the command line."""

from .cli import main

main()
