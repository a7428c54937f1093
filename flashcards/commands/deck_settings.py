"""`flashcards config --deck DECK [KEY VALUE]`: a deck's own settings (Anki's presets), over the store's.

A deck is named as its cards show it (its name in the review header and in Anki), or by its deck file. What a
deck may set for itself is settings.DECK_KEYS; `default` gives it the store's value again. Changed parameters
recompute the memory states of that deck's cards (and --reschedule moves their due dates), as for the store's.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import FlashcardsError
from ..settings import Settings
from ..store import resolve_db_path
from .context import open_store, settings_file


def run(deck: str, key: str | None, value: str | None, db: Path | None, as_json: bool, *,
        reschedule: bool = False) -> None:
    """Show a deck's settings (every one, or one), or set one of its own and show it."""
    from ..settings import DECK_KEYS, load_settings, save_settings, set_for_deck
    from ..ui.reports import print_config

    path = settings_file(db)
    settings = load_settings(path)
    name = deck_name(deck, db)
    if key is not None and key not in DECK_KEYS:
        raise FlashcardsError(f"{key!r} is the same for every deck; a deck may set {', '.join(DECK_KEYS)}")
    if key is not None and value is not None:
        set_for_deck(settings, name, key, value)
        path.parent.mkdir(parents=True, exist_ok=True)
        save_settings(settings, path)
        if (key == "parameters" or reschedule) and resolve_db_path(db).exists():
            recompute_deck(db, settings, name, reschedule, quiet=as_json)
    shown = settings.for_deck(name)
    own = sorted(settings.decks.get(name, {}))
    if key is not None:
        print_config(shown, path, key, as_json, deck=name, own=own)
        return
    if as_json:
        import json
        from dataclasses import asdict

        values = asdict(shown)
        print(json.dumps({"deck": name, "own": own, **{k: values[k] for k in DECK_KEYS}}))
        return
    for each in DECK_KEYS:
        print_config(shown, path, each, as_json, deck=name, own=own)
    from ..ui.console import out_console

    out_console().print(f"(deck {name}: {', '.join(own) or 'nothing'} of its own, the rest the store's; settings "
                        f"file: {path})", markup=False, style="dim")


def deck_name(text: str, db: Path | None) -> str:
    """The deck a person named: a deck file (its name, read through the store) or the name itself."""
    candidate = Path(text).expanduser()
    if candidate.suffix.lower() in (".yaml", ".yml") and candidate.is_file():
        from ..decks.open_decks import open_decks

        with open_store(db) as store:
            opened = open_decks(store, [candidate])
        if opened:
            return opened[0].name
    if not text.strip():
        raise FlashcardsError("--deck: name a deck (its name, or its deck file)")
    return text


def recompute_deck(db: Path | None, settings: Settings, name: str, reschedule: bool, quiet: bool) -> None:
    """The memory states (and with `reschedule` the due dates) of one deck's cards follow its changed settings."""
    from ..scheduling.memory_states import recompute_memory_states
    from ..ui.reports import print_recomputed

    with open_store(db) as store:
        keys = store.deck_keys_named([name])[name]
        cards = store.card_ids_of_decks(keys) if keys else []
        report = recompute_memory_states(store, settings, cards, reschedule=reschedule)
    if not quiet:
        print_recomputed(report, reschedule)
