"""Hostile input: arbitrary bytes through every importer, huge lines, oversized files. Nothing escapes
as anything but our one-line error, and nothing a file contains is ever run."""

from __future__ import annotations

import resource

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flashcards.decks.deckfile.reader import load_deck
from flashcards.decks.merge import convert
from flashcards.errors import FlashcardsError
from flashcards.files import textio
from flashcards.importers import FORMATS, import_file

pytestmark = pytest.mark.slow  # end to end: run by CI, left out of the quick loop (-m "not slow")


@pytest.mark.parametrize("fmt", [None, *sorted(FORMATS)])
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(
    st.binary(max_size=400),
    st.text(max_size=400).map(lambda text: text.encode("utf-8")),
    st.text(max_size=200).map(lambda text: text.encode("utf-16")),
))
def test_arbitrary_bytes_give_cards_or_one_line_error_in_every_format(tmp_path, fmt, data):
    path = tmp_path / "input.txt"
    path.write_bytes(data)
    try:
        result = import_file(path, "input.txt", fmt)
    except FlashcardsError as error:
        assert "\n" not in str(error)
        assert str(error).startswith(("input.txt", "unknown format"))
        return
    for highlight in result.highlights:
        assert highlight.front.strip()


def test_a_single_10_mb_line_converts_with_bounded_memory(tmp_path):
    line = ("long passage " * 800_000)[:10_000_000]
    (tmp_path / "big.txt").write_text(f"{line}\nits note\n", encoding="utf-8")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    report = convert([tmp_path / "big.txt"], tmp_path / "deck.yaml")
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert report.added == 1
    assert load_deck(tmp_path / "deck.yaml").cards[0].front == line.strip()
    assert grown_mb < 250


def test_an_oversized_file_is_refused_before_it_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(textio, "MAX_INPUT_BYTES", 1024 * 1024)
    path = tmp_path / "huge.txt"
    path.write_bytes(b"a passage\na note\n" * 100_000)
    with pytest.raises(FlashcardsError, match=r"huge\.txt: file is 1 MiB; exports over 1 MiB are refused"):
        import_file(path, "huge.txt")


SCRIPTY = st.sampled_from([
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<b>bold</b>", "{{Passage}}", "{{#Source}}x{{/Source}}",
    "&amp;", "&lt;", "a < b > c", "<!-- comment -->", "</div>", "<style>body{display:none}</style>", "[sound:x.mp3]",
    "javascript:alert(1)", "<a href='javascript:alert(1)'>x</a>", "\u0000", "\x1f", "{{c1::cloze}}",
])


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(st.one_of(SCRIPTY, st.text(min_size=1, max_size=40), st.lists(SCRIPTY, max_size=3).map("".join)),
                      min_size=40, max_size=40))
def test_no_card_text_reaches_anki_unescaped(tmp_path_factory, texts):
    import html

    from anki.collection import Collection

    from conftest import import_apkg
    from flashcards.anki.package_out import export_decks, field_html
    from flashcards.model import Card, Deck

    folder = tmp_path_factory.mktemp("anki")
    cards = [Card(f"id{index}", f"#{index} {text}", f"back {text}", "") for index, text in enumerate(texts)]
    export_decks([Deck("Hostile", cards)], folder / "h.apkg")
    col = Collection(str(folder / "c.anki2"))
    try:
        import_apkg(col, folder / "h.apkg")
        for note in (col.get_note(nid) for nid in col.find_notes("")):
            index = int(note["Passage"].split(" ", 1)[0][1:])
            card = note.cards()[0]
            question = card.question()
            body = question[question.index('<blockquote class="passage">'):]
            shown = field_html(cards[index].front)
            assert shown in body
            assert "<script>alert" not in body and "<img src=x" not in body
            assert html.unescape(note["Passage"]) == html.unescape(shown)
    finally:
        col.close()
