"""Where `sync` puts the decks in Anki: every move of cards from one Anki deck to another is named (dry run and
report), the collection and parent deck a set of decks was last synced with are remembered and repeated, and a
sync that would move decks only because the parent deck differs waits for --move-decks. Real Anki collections
(the `anki` package) and the real command."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from anki_collections import snapshot
from reviewing import write_deck

from conftest import import_apkg

pytestmark = pytest.mark.slow  # end to end (real Anki collections on both sides): run by CI, left out of the quick loop

pytest.importorskip("anki")


@dataclass
class Setup:
    """An Anki profile (its collection closed), a folder of one deck, a store path, and how to run the command."""

    profile: Path
    decks: Path
    deck: Path
    db: Path
    work: Path
    cli: object

    @property
    def collection(self) -> Path:
        return self.profile / "collection.anki2"

    def sync(self, *args: str, anki: bool = True):
        """`flashcards sync decks ...` from the work folder, with no Anki data folder to fall back on."""
        where = ("--anki", str(self.profile)) if anki else ()
        return self.cli("sync", str(self.decks), *where, "--db", str(self.db), *args, cwd=self.work,
                        env={"FLASHCARDS_ANKI_BASE": str(self.work / "no-anki-here")})

    def decks_in_anki(self) -> dict[str, int]:
        from anki.collection import Collection

        col = Collection(str(self.collection))
        try:
            rows = col.db.all("select did, count() from cards group by did")
            return {col.decks.name(did): count for did, count in rows}
        finally:
            col.close()

    def anki_rows(self) -> dict:
        from anki.collection import Collection

        col = Collection(str(self.collection))
        try:
            return snapshot(col)
        finally:
            col.close()


def rename(deck: Path, name: str) -> None:
    """Give the deck another name in its file, its cards as they are."""
    lines = deck.read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[0].startswith("name: ")
    deck.write_text(f"name: {name}\n" + "".join(lines[1:]), encoding="utf-8")


@pytest.fixture
def setup(tmp_path, cli) -> Setup:
    from anki.collection import Collection

    profile = tmp_path / "Anki2" / "User 1"
    profile.mkdir(parents=True)
    Collection(str(profile / "collection.anki2")).close()
    decks = tmp_path / "decks"
    decks.mkdir()
    deck = decks / "stoics.yaml"
    write_deck(deck, 4, name="stoics")
    return Setup(profile, decks, deck, tmp_path / "store.db", tmp_path, cli)


def test_the_dry_run_and_the_report_name_every_deck_move(setup):
    assert setup.sync().code == 0
    rename(setup.deck, "stoic letters")  # the deck renamed in its file: its cards follow in Anki
    dry = setup.sync("--dry-run")
    assert dry.code == 0, dry.stderr
    assert "  would move in Anki: stoics -> stoic letters (4 cards)" in dry.stdout
    assert setup.decks_in_anki() == {"stoics": 4}
    done = setup.sync("--json")
    assert done.code == 0, done.stderr
    assert json.loads(done.stdout)["deck_moves"] == [{"from": "stoics", "to": "stoic letters", "cards": 4}]
    assert setup.decks_in_anki() == {"stoic letters": 4}
    rename(setup.deck, "stoics")
    words = setup.sync()
    assert "  moved in Anki: stoic letters -> stoics (4 cards)" in words.stdout


def test_a_bare_sync_repeats_the_last_collection_and_parent_and_says_so_in_one_line(setup):
    first = setup.sync("--parent", "Books")
    assert first.code == 0, first.stderr
    write_deck(setup.deck, 5, name="stoics")  # a card more: something to do
    again = setup.sync(anki=False)  # no --anki, no --parent, and no Anki data folder to find a profile in
    assert again.code == 0, again.stderr
    assert again.stderr.strip() == f"syncing with {setup.collection.resolve()} under Books, as last time"
    assert "notes: 1 added, 0 updated in Anki" in again.stdout and "moved in Anki" not in again.stdout
    assert setup.decks_in_anki() == {"Books::stoics": 5}
    with_collection = setup.sync()  # --anki given, --parent left out: the parent last used with it
    assert with_collection.code == 0 and "under Books, as last time" in with_collection.stderr
    assert "Nothing to do: both sides already agree." in with_collection.stdout


def test_another_parent_than_last_time_moves_decks_only_with_move_decks_and_the_dry_run_says_so(setup):
    assert setup.sync("--parent", "Books").code == 0
    before = setup.anki_rows()
    dry = setup.sync("--parent", "Shelf", "--dry-run")
    assert dry.code == 0, dry.stderr
    assert "  would move in Anki: Books::stoics -> Shelf::stoics (4 cards)" in dry.stdout
    assert ("A sync would refuse these moves: --parent differs from the last sync's (Books then, Shelf now): sync "
            "with --parent Books to leave them, or add --move-decks to move them.") in dry.stdout
    refused = setup.sync("--parent", "Shelf")
    assert refused.code == 1 and refused.stdout == ""
    assert refused.stderr.strip() == (
        "error: 4 cards would move to other decks in Anki (Books::stoics -> Shelf::stoics (4 cards)): --parent "
        "differs from the last sync's (Books then, Shelf now): sync with --parent Books to leave them, or add "
        "--move-decks to move them; nothing was written")
    assert setup.anki_rows() == before
    moved = setup.sync("--parent", "Shelf", "--move-decks")
    assert moved.code == 0, moved.stderr
    assert "  moved in Anki: Books::stoics -> Shelf::stoics (4 cards)" in moved.stdout
    assert setup.decks_in_anki() == {"Shelf::stoics": 4}
    bare = setup.sync(anki=False)  # remembered: the new parent
    assert bare.code == 0 and "under Shelf, as last time" in bare.stderr
    assert "Nothing to do: both sides already agree." in bare.stdout


def test_notes_imported_under_a_parent_are_not_moved_by_a_first_sync_without_it(setup, tmp_path):
    """The export was imported into Anki with --parent Books; the first sync (nothing remembered) leaves out
    --parent: it says where the decks are and what to do, and moves nothing."""
    from anki.collection import Collection

    package = tmp_path / "stoics.apkg"
    exported = setup.cli("export", str(setup.deck), "-o", str(package), "--parent", "Books", "--db", str(setup.db),
                         cwd=setup.work)
    assert exported.code == 0, exported.stderr
    col = Collection(str(setup.collection))
    import_apkg(col, package)
    col.close()
    before = setup.anki_rows()
    dry = setup.sync("--dry-run")
    assert dry.code == 0, dry.stderr
    assert "  would move in Anki: Books::stoics -> stoics (4 cards)" in dry.stdout
    assert ("A sync would refuse these moves: these decks are under Books in Anki, and this sync puts them at the "
            "top level: sync with --parent Books to leave them, or add --move-decks to move them.") in dry.stdout
    refused = setup.sync()
    assert refused.code == 1 and "would move to other decks in Anki" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1 and "nothing was written" in refused.stderr
    assert setup.anki_rows() == before
    kept = setup.sync("--parent", "Books")
    assert kept.code == 0 and "moved in Anki" not in kept.stdout
    assert setup.decks_in_anki() == {"Books::stoics": 4}
