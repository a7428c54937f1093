"""The Kindle app's "Export notebook" HTML: highlights with their notes as backs, the book's title and author and
the place as the source, entities decoded, the highlight colour left out. The notebooks are written by the tests
with the class names the Kindle app uses (bookTitle, authors, sectionHeading, noteHeading, noteText)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flashcards.decks.deckfile.reader import load_deck
from flashcards.errors import FlashcardsError
from flashcards.importers import detect_format, import_file

HEAD = """<?xml version="1.0" encoding="UTF-8" ?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd" >
<html xmlns="http://www.w3.org/TR/1999/REC-html-in-xml" xml:lang="en" lang="en">
<head><meta http-equiv="Content-Type" content="application/xhtml+xml; charset=UTF-8" /><meta charset="UTF-8"/>
<style type="text/css">.noteHeading { font-size: 18px; } .noteText { font-size: 18px; }</style><title></title></head>
<body><div class="bodyContainer">
<div class="notebookFor">
Notebook for
</div>
"""
NOTEBOOK = HEAD + """<div class="bookTitle">
On Writing: A Memoir of the Craft
</div>
<div class="authors">
Stephen King
</div>
<div class="citation">

</div>
<hr />
<div class="sectionHeading">
Chapter 1
</div>
<div class="noteHeading">
Highlight (<span class="highlight_yellow">yellow</span>) - Page 57 &middot; Location 590
</div>
<div class="noteText">
&ldquo;When you write a story, you&rsquo;re telling yourself the story,&rdquo; he said.
&ldquo;When you rewrite, &amp; only then&hellip;&rdquo;
</div>
<div class="noteHeading">
Highlight (<span class="highlight_blue">blue</span>) - Page 58 · Location 1445
</div>
<div class="noteText">
Good writing is often about letting go of fear and affectation.
</div>
<div class="noteHeading">
Note - Page 58 · Location 1445
</div>
<div class="noteText">
Yes! Write what you want,<br/>and don't try to impress anyone.
</div>
<div class="noteHeading">
Bookmark - Page 60 · Location 1500
</div>
<div class="noteText">
</div>
<div class="noteHeading">
Note - Location 1700
</div>
<div class="noteText">
A thought with no highlight.
</div>
</div></body></html>
"""
SOURCE = "On Writing: A Memoir of the Craft (Stephen King)"
TAGS = ("On_Writing:_A_Memoir_of_the_Craft",)


def _write(tmp_path, text: str, name: str = "On Writing - Notebook.html"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_highlights_take_the_note_at_their_location_and_name_the_book_and_place(tmp_path):
    result = import_file(_write(tmp_path, NOTEBOOK), "kindle/On Writing - Notebook.html")
    assert result.format == "kindle-notebook"
    assert [(h.front, h.back, h.source, h.tags) for h in result.highlights] == [
        ("“When you write a story, you’re telling yourself the story,” he said. “When you rewrite, & only then…”",
         "", f"{SOURCE} — page 57, location 590", TAGS),
        ("Good writing is often about letting go of fear and affectation.",
         "Yes! Write what you want,\nand don't try to impress anyone.", f"{SOURCE} — page 58, location 1445", TAGS),
    ]
    assert dict(result.skipped) == {"bookmark": 1, "note without a highlight": 1}


def test_the_highlight_colour_is_in_no_text(tmp_path):
    result = import_file(_write(tmp_path, NOTEBOOK), "n.html")
    shown = " ".join(part for h in result.highlights for part in (h.front, h.back, h.source, *h.tags))
    assert "yellow" not in shown and "blue" not in shown and "()" not in shown


def test_older_notebooks_with_h3_headings_and_mismatched_closing_tags(tmp_path):
    # older Kindle apps wrote headings as <h3> and closed noteText divs with </h3>
    text = HEAD + """<div class='bookTitle'>Sapiens</div>
<div class='authors'>Harari, Yuval Noah</div>
<h2 class='sectionHeading'>Part One</h2>
<h3 class='noteHeading'>Highlight(<span class='highlight_pink'>pink</span>) - Location 402</h3>
<div class='noteText'>Fiction has enabled us not merely to imagine things, but to do so collectively.</h3>
<h3 class='noteHeading'>Note - Location 402</h3>
<div class='noteText'>Shared myths.</h3>
<h3 class='noteHeading'>Highlight(<span class='highlight_yellow'>yellow</span>) - Location 1021</h3>
<div class='noteText'></h3>
</div></body></html>"""
    result = import_file(_write(tmp_path, text), "sapiens.html")
    assert [(h.front, h.back, h.source) for h in result.highlights] == [
        ("Fiction has enabled us not merely to imagine things, but to do so collectively.", "Shared myths.",
         "Sapiens (Harari, Yuval Noah) — location 402"),
    ]
    assert dict(result.skipped) == {"empty highlight": 1}


def test_a_chinese_notebook(tmp_path):
    text = HEAD + """<div class="bookTitle">人类简史</div><div class="authors">尤瓦尔·赫拉利</div>
<div class="noteHeading">标注(<span class="highlight_yellow">黄色</span>) - 第 27 页·位置 402</div>
<div class="noteText">讨论虚构的事物，正是智人语言最独特的功能。</div>
<div class="noteHeading">笔记 - 第 27 页·位置 402</div>
<div class="noteText">共同的想象让陌生人也能合作。</div>
</div></body></html>"""
    result = import_file(_write(tmp_path, text), "人类简史.html")
    assert [(h.front, h.back, h.source) for h in result.highlights] == [
        ("讨论虚构的事物，正是智人语言最独特的功能。", "共同的想象让陌生人也能合作。", "人类简史 (尤瓦尔·赫拉利) — page 27, location 402"),
    ]


def test_a_notebook_is_detected_by_content_and_a_web_page_is_not_a_notebook(tmp_path):
    assert import_file(_write(tmp_path, NOTEBOOK, "export.txt"), "export.txt").format == "kindle-notebook"
    page = "<!DOCTYPE html><html><body><div class='note'>noteText is a word here</div></body></html>"
    with pytest.raises(FlashcardsError, match="a web page"):
        detect_format(page, "page.html")


def test_converting_a_notebook_through_the_cli(tmp_path, cli):
    result = cli("convert", str(_write(tmp_path, NOTEBOOK)), "-o", str(tmp_path / "deck.yaml"))
    assert result.code == 0, result.stderr
    assert "kindle-notebook" in result.stdout
    deck = load_deck(tmp_path / "deck.yaml")
    assert [card.source for card in deck.cards] == [f"{SOURCE} — page 57, location 590",
                                                    f"{SOURCE} — page 58, location 1445"]


@pytest.mark.parametrize("fraction", [0.55, 0.7, 0.85])
def test_a_truncated_notebook_gives_the_complete_entries_or_one_line(tmp_path, fraction):
    text = NOTEBOOK[: int(len(NOTEBOOK) * fraction)]
    try:
        result = import_file(_write(tmp_path, text), "cut.html")
    except FlashcardsError as error:
        assert str(error).startswith("cut.html: ") and "\n" not in str(error)
        return
    assert all(h.front.strip() and h.source.startswith(SOURCE) for h in result.highlights)


PIECES = st.sampled_from([
    '<div class="noteHeading">', '<div class="noteText">', '<div class="bookTitle">', "<div class='authors'>",
    "</div>", "</h3>", "<h3 class='noteHeading'>", '<span class="highlight_yellow">', "</span>", "<br/>", "<hr>",
    "Highlight (yellow) - Location 5", "Note - Location 5", "Bookmark - Page 3", "&amp;", "&bogus;", "&#xD800;",
    "&#99999999;", "<!--", "-->", "<![CDATA[", "<script>", "</script>", "text", "\n", "<", ">", "Location 5-3",
])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(st.one_of(PIECES, st.text(max_size=8)), max_size=40))
def test_notebook_like_fragments_give_cards_or_one_line_error(tmp_path, parts):
    path = tmp_path / "input.html"
    path.write_text('<div class="noteHeading">x</div><div class="noteText">' + "".join(parts), encoding="utf-8")
    try:
        result = import_file(path, "input.html", "kindle-notebook")
    except FlashcardsError as error:
        assert "\n" not in str(error) and str(error).startswith("input.html")
        return
    for highlight in result.highlights:
        assert highlight.front.strip() and "\n" not in highlight.source
