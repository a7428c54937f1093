"""The README's first command shows the work it did, and convert's counts add up to the cards: a passage seen in
two files (or twice in one) is one card, counted once and merged after that."""

from __future__ import annotations

import shutil
import subprocess

from conftest import REPO, SEEDS, run_cli

FIRST, SECOND = sorted(path.name for path in SEEDS.iterdir())


def test_converting_the_seeds_twice_counts_each_passage_once(tmp_path):
    shutil.copytree(SEEDS, tmp_path / "seeds")
    first = run_cli("convert", "seeds", "-o", "decks/seeds.yaml", cwd=tmp_path)
    assert (first.code, first.stderr) == (0, "")
    assert first.stdout.splitlines() == [
        f"seeds/{FIRST}: pairs, 9 cards added, 1 duplicate merged",
        f"seeds/{SECOND}: pairs, 16 cards added, 10 duplicates merged",
        "decks/seeds.yaml: 25 cards added, 11 duplicates merged, 0 warnings; 25 cards in the deck",
    ]
    again = run_cli("convert", "seeds", "-o", "decks/seeds.yaml", cwd=tmp_path)
    assert (again.code, again.stderr) == (0, "")
    assert again.stdout.splitlines() == [  # 9 + 16 = the 25 cards; 1 + 10 = the 11 passages seen before
        f"seeds/{FIRST}: pairs, 0 cards added, 1 duplicate merged, 9 already in the deck",
        f"seeds/{SECOND}: pairs, 0 cards added, 10 duplicates merged, 16 already in the deck",
        "decks/seeds.yaml: 0 cards added, 11 duplicates merged, 25 already in the deck, 0 warnings; "
        "25 cards in the deck (unchanged)",
    ]


def test_the_generated_deck_is_left_out_of_git_so_the_readmes_first_command_makes_it():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "flashcards convert seeds -o decks/seeds.yaml && flashcards export decks/seeds.yaml -o seeds.apkg" in readme
    if shutil.which("git") is None or not (REPO / ".git").exists():
        return
    ignored = subprocess.run(["git", "check-ignore", "--no-index", "-q", "decks/seeds.yaml"], cwd=REPO, check=False)
    assert ignored.returncode == 0  # made by the README's command on a fresh clone, never committed
