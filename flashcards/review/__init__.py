"""Reviewing: the review queue (which card comes next), answering, the daily limits and learn-ahead, undo,
bury, suspend and leeches. Pure logic over the store, with the clock passed in; no terminal here.

session.py is the Session (queue and answering; a scheduler per deck with settings of its own); limits.py the
study day, daily limits (the store's or a deck's), learn-ahead, --limit and --minutes (the load the balancer
weighs is the store's, store/day_load.py); undo.py what undo remembers and how it restores a card; flags.py bury,
suspend and leeches; results.py what a session hands back (Counts, Shown, Answered, Summary).

May import: model, errors, clock, settings, scheduling, store, decks. Never ui, commands or cli.
"""
