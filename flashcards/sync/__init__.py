"""`flashcards sync`: one memory in the store and in the person's Anki collection.

plan.py works out every write from both sides (notes, answers each way by card and moment, one schedule
replayed from the merged history, suspended/buried); run.py writes it safely (Anki in one transaction after
its backup, the store in one transaction around it); moves.py names the cards that change Anki deck and
holds back those that only follow another parent; report.py is what the command prints.

May import: errors, model, clock, settings, store, decks, scheduling, anki. Never ui, commands.
"""

from __future__ import annotations

from .report import SyncReport
from .run import sync_with_anki

__all__ = ["SyncReport", "sync_with_anki"]
