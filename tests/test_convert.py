"""Converting exports into decks: the seeds, stable ids, merging, keeping hand edits, failing safely."""

from __future__ import annotations

import shutil

import pytest
import yaml

from conftest import SEEDS
from flashcards.decks.deckfile.reader import load_deck
from flashcards.decks.merge import convert
from flashcards.errors import FlashcardsError
from flashcards.model import card_id


def _seed_pairs() -> set[tuple[str, str]]:
    pairs = set()
    for path in sorted(SEEDS.glob("*.txt")):
        lines = [line for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]
        pairs |= set(zip(lines[0::2], lines[1::2], strict=True))
    return pairs


def test_the_two_seeds_convert_to_exactly_25_cards_with_their_pairs(tmp_path, cli):
    out = tmp_path / "seeds.yaml"
    result = cli("convert", str(SEEDS), "-o", str(out), "--name", "Seeds", "--tag", "ai")
    assert result.code == 0, result.stderr
    assert "25 cards added, 11 duplicates merged, 0 warnings" in result.stdout
    deck = load_deck(out)
    assert deck.name == "Seeds"
    assert len(deck.cards) == 25
    assert {(card.front, card.back) for card in deck.cards} == _seed_pairs()
    assert all(card.tags == ["ai"] for card in deck.cards)
    first = deck.cards[0]
    assert first.source.endswith("000_f7a2c1f0a737414f.txt:1")
    japanese = [card for card in deck.cards if card.front.startswith("合計数百回、時には数千回に及ぶLLM呼び出し")]
    assert len(japanese) == 1 and japanese[0].source.endswith("001_29b7adb40a56717b.txt:17")


def test_seed_sources_name_the_file_and_line_without_the_folder(tmp_path, cli):
    work = tmp_path / "repo"
    shutil.copytree(SEEDS, work / "notes" / "seeds")
    assert cli("convert", "notes", "-o", "decks/seeds.yaml", cwd=work).code == 0
    sources = [card.source for card in load_deck(work / "decks" / "seeds.yaml").cards]
    assert sources[0] == "000_f7a2c1f0a737414f.txt:1"
    assert all("/" not in source and str(tmp_path) not in source for source in sources)


def test_ids_are_stable_across_runs_files_and_whitespace(tmp_path):
    (tmp_path / "a.txt").write_text("The  map is not\tthe territory.\nnote a\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Other\nx\nThe map is not the territory.\nnote b\n", encoding="utf-8")
    convert([tmp_path / "a.txt"], tmp_path / "one.yaml")
    convert([tmp_path / "b.txt"], tmp_path / "two.yaml")
    one = {c.front.split()[0]: c.id for c in load_deck(tmp_path / "one.yaml").cards}
    two = {c.front.split()[0]: c.id for c in load_deck(tmp_path / "two.yaml").cards}
    assert one["The"] == two["The"] == card_id("The map is not the territory.")
    # decomposed and composed Unicode are the same passage
    assert card_id("café") == card_id("cafe\u0301")


def test_duplicates_with_different_commentary_keep_both(tmp_path):
    (tmp_path / "a.txt").write_text("Same passage\nfirst thought\nSame passage\nsecond thought\n", encoding="utf-8")
    report = convert([tmp_path / "a.txt"], tmp_path / "d.yaml")
    assert (report.added, report.merged) == (1, 1)
    assert load_deck(tmp_path / "d.yaml").cards[0].back == "first thought\n\nsecond thought"


def test_converting_into_an_existing_deck_keeps_hand_edits_added_cards_and_order(tmp_path):
    export = tmp_path / "export.txt"
    export.write_text("Passage one\nnote one\nPassage two\nnote two\n", encoding="utf-8")
    deck_path = tmp_path / "deck.yaml"
    convert([export], deck_path)
    data = yaml.safe_load(deck_path.read_text(encoding="utf-8"))
    data["cards"][0]["front"] = "Passage one, corrected by hand"
    data["cards"][0]["back"] = "my better note"
    data["cards"].reverse()
    data["cards"].append({"id": "mine", "front": "A card I wrote", "back": "by hand", "tags": ["own"]})
    deck_path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")

    export.write_text("Passage one\nnote one\nPassage two\nnote two\nPassage three\nnote three\n", encoding="utf-8")
    report = convert([export], deck_path)
    assert (report.added, report.already) == (1, 2)
    cards = load_deck(deck_path).cards
    assert [c.front for c in cards] == ["Passage two", "Passage one, corrected by hand", "A card I wrote", "Passage three"]
    assert cards[1].back == "my better note"
    assert cards[2].id == "mine" and cards[2].tags == ["own"]


def test_unchanged_conversion_does_not_rewrite_the_deck(tmp_path):
    export = tmp_path / "e.txt"
    export.write_text("P\nC\n", encoding="utf-8")
    deck_path = tmp_path / "deck.yaml"
    convert([export], deck_path)
    deck_path.write_text(deck_path.read_text(encoding="utf-8") + "# my comment\n", encoding="utf-8")
    report = convert([export], deck_path)
    assert not report.written
    assert deck_path.read_text(encoding="utf-8").endswith("# my comment\n")


def test_bad_input_among_good_ones_leaves_the_deck_untouched(tmp_path, cli):
    good = tmp_path / "good.txt"
    good.write_text("P\nC\n", encoding="utf-8")
    deck_path = tmp_path / "deck.yaml"
    assert cli("convert", str(good), "-o", str(deck_path)).code == 0
    before = deck_path.read_bytes()
    (tmp_path / "new.txt").write_text("Q\nD\n", encoding="utf-8")
    (tmp_path / "bin.dat").write_bytes(b"\x00\x01\x02\x03binary\x00\xff")
    for bad in ([str(tmp_path / "bin.dat")], [str(tmp_path / "missing.txt")], [str(tmp_path / "empty.txt")]):
        (tmp_path / "empty.txt").write_bytes(b"")
        result = cli("convert", str(tmp_path / "new.txt"), *bad, "-o", str(deck_path))
        assert result.code == 1
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "Traceback" not in result.stderr
        assert deck_path.read_bytes() == before


def test_no_deck_is_created_when_the_input_is_bad(tmp_path, cli):
    result = cli("convert", str(tmp_path / "nothing.txt"), "-o", str(tmp_path / "deck.yaml"))
    assert result.code == 1
    assert result.stderr.strip() == f"error: {tmp_path / 'nothing.txt'}: no such file or folder"
    assert not (tmp_path / "deck.yaml").exists()


def test_invalid_existing_deck_is_reported_and_kept(tmp_path, cli):
    (tmp_path / "e.txt").write_text("P\nC\n", encoding="utf-8")
    deck_path = tmp_path / "deck.yaml"
    deck_path.write_text("name: d\ncards:\n- id: x\n  back: lost front\n", encoding="utf-8")
    result = cli("convert", str(tmp_path / "e.txt"), "-o", str(deck_path))
    assert result.code == 1
    assert result.stderr.strip() == f"error: {deck_path}:3: card has no front"
    assert "lost front" in deck_path.read_text(encoding="utf-8")


def test_a_deck_edited_by_hand_during_convert_is_not_overwritten(tmp_path, monkeypatch):
    import flashcards.decks.merge as convert_module

    export = tmp_path / "e.txt"
    export.write_text("P\nC\n", encoding="utf-8")
    deck_path = tmp_path / "deck.yaml"
    convert([export], deck_path)
    export.write_text("P\nC\nNew passage\nnew note\n", encoding="utf-8")
    real_merger = convert_module.DeckMerger

    class EditWhileMerging(real_merger):
        def add(self, highlights):
            deck_path.write_text(deck_path.read_text(encoding="utf-8") + "# edited by hand meanwhile\n", "utf-8")
            return super().add(highlights)

    monkeypatch.setattr(convert_module, "DeckMerger", EditWhileMerging)
    with pytest.raises(FlashcardsError, match="changed on disk while flashcards had it open"):
        convert([export], deck_path)
    assert deck_path.read_text(encoding="utf-8").endswith("# edited by hand meanwhile\n")


@pytest.mark.parametrize("into", ["a new deck", "a deck written by hand"])
def test_writing_reports_its_progress_up_to_every_new_card(tmp_path, into):
    export = tmp_path / "export.txt"
    export.write_text("".join(f"passage {i}\ncommentary {i}\n" for i in range(1_234)), encoding="utf-8")
    deck = tmp_path / "deck.yaml"
    if into != "a new deck":
        deck.write_text("name: mine  # by hand\ncards:\n- front: kept\n", encoding="utf-8")
    told: list[tuple[int, int]] = []
    convert([export], deck, writing=lambda done, total: told.append((done, total)))
    assert told == [(500, 1_234), (1_000, 1_234), (1_234, 1_234)]
    assert len(load_deck(deck).cards) == 1_234 + (into != "a new deck")
