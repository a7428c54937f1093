"""Scheduling as Anki does it, with FSRS: the scheduler (next states on study days, learning steps), fuzz,
Anki's load balancer and easy days (load_balance.py), study days counted fast, memory states recomputed from whole logs, the fit of FSRS parameters to a person's
log and its evaluation (fit.py), workload simulation (simulation.py, workload.py), the optimize service
(optimize.py) and the guard around every fsrs-rs call (rust_calls.py).

May import: errors, model, clock, settings, and fsrs / fsrs-rs-python (used from here only). optimize.py,
the one service here, also reads the store and saves settings. Never decks, review, anki, ui, commands.
"""
