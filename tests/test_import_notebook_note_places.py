"""A Kindle notebook's note belongs to the highlight it follows when its location lies within that highlight's
range: the Kindle app's "Export notebook" gives a note the location where its highlight ends, which is the
highlight's start location, or one more, or several more for a long passage. Only a note with no highlight
before it in that range is a note without a highlight. The notebooks are written as the Kindle app writes them
(bookTitle, authors, noteHeading, noteText)."""

from __future__ import annotations

from flashcards.importers import import_file

HEAD = """<?xml version="1.0" encoding="UTF-8" ?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd" >
<html xmlns="http://www.w3.org/TR/1999/REC-html-in-xml" xml:lang="en" lang="en">
<head><meta charset="UTF-8"/><title></title></head>
<body><div class="bodyContainer">
<div class="notebookFor">Notebook for</div>
<div class="bookTitle">Thinking, Fast and Slow</div>
<div class="authors">Kahneman, Daniel</div>
<hr />
"""
TAIL = "</div></body></html>\n"
SHORT = "Nothing in life is as important as you think it is, while you are thinking about it."
ONE_MORE = ("A reliable way to make people believe in falsehoods is frequent repetition, because familiarity is not "
            "easily distinguished from truth. Authoritarian institutions and marketers have always known this fact.")
LONG = " ".join([
    "The premise of this book is that it is easier to recognize other people's mistakes than our own.",
    "Questioning what we believe and want is difficult at the best of times, and especially difficult when we",
    "most need to do it, but we can benefit from the informed opinions of others. Many of us spontaneously",
    "anticipate how friends and colleagues will evaluate our choices; the quality and content of these",
    "anticipated judgments therefore matters. The expectation of intelligent gossip is a powerful motive for",
    "serious self-criticism, more powerful than New Year resolutions to improve one's decision making at work",
    "and at home. To be a good diagnostician, a physician needs to acquire a large set of labels for diseases,",
    "each of which binds an idea of the illness and its symptoms, possible antecedents and causes, possible",
    "developments and consequences, and possible interventions to cure or mitigate the illness.",
])


def _entry(kind: str, place: str, text: str) -> str:
    colour = '(<span class="highlight_yellow">yellow</span>) ' if kind == "Highlight" else ""
    return f'<div class="noteHeading">{kind} {colour}- {place}</div>\n<div class="noteText">{text}</div>\n'


def _notebook(tmp_path, *entries: str, name: str = "notebook.html"):
    path = tmp_path / name
    path.write_text(HEAD + "".join(entries) + TAIL, encoding="utf-8")
    return path


def _cards(result):
    return [(h.front, h.back) for h in result.highlights]


def test_notes_at_the_start_one_past_and_several_past_their_highlight_are_its_commentary(tmp_path):
    assert len(LONG.encode()) > 900  # a passage that runs over several locations
    path = _notebook(
        tmp_path,
        _entry("Highlight", "Page 12 · Location 170", SHORT),
        _entry("Note", "Page 12 · Location 170", "The focusing illusion."),
        _entry("Highlight", "Page 62 · Location 947", ONE_MORE),
        _entry("Note", "Page 62 · Location 948", "Repetition breeds belief."),
        _entry("Highlight", "Page 3 · Location 40", LONG),
        _entry("Note", "Page 4 · Location 49", "Why gossip helps:<br/>a vocabulary for errors."),
        _entry("Note", "Page 90 · Location 1300", "A thought of my own, far from any highlight."),
    )
    result = import_file(path, "notebook.html")
    assert _cards(result) == [
        (SHORT, "The focusing illusion."),
        (ONE_MORE, "Repetition breeds belief."),
        (LONG, "Why gossip helps:\na vocabulary for errors."),
    ]
    assert dict(result.skipped) == {"note without a highlight": 1}


def test_a_note_goes_to_the_nearest_highlight_before_it_whose_range_holds_it(tmp_path):
    path = _notebook(
        tmp_path,
        _entry("Highlight", "Location 500", "First passage, short."),
        _entry("Highlight", "Location 501", "Second passage, right after the first one."),
        _entry("Note", "Location 502", "On the second."),
        _entry("Highlight", "Location 800", "Third passage."),
        _entry("Note", "Location 700", "Before the third: no highlight holds it."),
    )
    result = import_file(path, "notebook.html")
    assert _cards(result) == [
        ("First passage, short.", ""),
        ("Second passage, right after the first one.", "On the second."),
        ("Third passage.", ""),
    ]
    assert dict(result.skipped) == {"note without a highlight": 1}


def test_a_heading_with_an_end_location_bounds_the_range(tmp_path):
    path = _notebook(
        tmp_path,
        _entry("Highlight", "Location 1000-1012", "A passage the heading says ends at 1012."),
        _entry("Note", "Location 1012", "At its end."),
        _entry("Highlight", "Location 2000-2001", "Another."),
        _entry("Note", "Location 2030", "Past its end."),
    )
    result = import_file(path, "notebook.html")
    assert _cards(result) == [("A passage the heading says ends at 1012.", "At its end."), ("Another.", "")]
    assert dict(result.skipped) == {"note without a highlight": 1}


def test_a_chinese_notebook_note_one_location_on(tmp_path):
    text = HEAD.replace("Thinking, Fast and Slow", "人类简史").replace("Kahneman, Daniel", "尤瓦尔·赫拉利")
    text += ('<div class="noteHeading">标注(<span class="highlight_yellow">黄色</span>) - 第 27 页·位置 402</div>\n'
             '<div class="noteText">讨论虚构的事物，正是智人语言最独特的功能。它让我们不仅能够想象，还能够一起想象。</div>\n'
             '<div class="noteHeading">笔记 - 第 27 页·位置 403</div>\n'
             '<div class="noteText">共同的想象让陌生人也能合作。</div>\n' + TAIL)
    path = tmp_path / "人类简史.html"
    path.write_text(text, encoding="utf-8")
    result = import_file(path, "人类简史.html")
    assert _cards(result) == [("讨论虚构的事物，正是智人语言最独特的功能。它让我们不仅能够想象，还能够一起想象。",
                               "共同的想象让陌生人也能合作。")]
    assert not result.skipped


def test_a_pdf_notebook_placed_by_pages_only(tmp_path):
    path = _notebook(
        tmp_path,
        _entry("Highlight", "Page 14", SHORT),
        _entry("Note", "Page 15", "It ran over the page."),
        _entry("Highlight", "Page 30", "Another passage."),
        _entry("Note", "Page 44", "Not about it."),
    )
    result = import_file(path, "notebook.html")
    assert _cards(result) == [(SHORT, "It ran over the page."), ("Another passage.", "")]
    assert dict(result.skipped) == {"note without a highlight": 1}
