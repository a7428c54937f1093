"""Hypothesis annotation exports: quotes become fronts, annotation text the backs; page notes and replies
are counted, not carded; broken JSON is one error with its line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flashcards.errors import FlashcardsError
from flashcards.importers import import_file

FIXTURES = Path(__file__).parent / "fixtures" / "import"


def _annotation(exact: str | None, text: str = "", **extra: object) -> dict[str, object]:
    target: dict[str, object] = {"source": "https://example.org/a"}
    if exact is not None:
        target["selector"] = [{"type": "TextPositionSelector", "start": 1, "end": 9},
                              {"type": "TextQuoteSelector", "exact": exact, "prefix": "", "suffix": ""}]
    return {"uri": "https://example.org/a", "text": text, "tags": [], "target": [target], **extra}


def test_an_api_search_result():
    result = import_file(FIXTURES / "hypothesis_api.json", "web/hypothesis.json")
    assert result.format == "hypothesis"
    assert [(h.front, h.back, h.source, h.tags, h.line) for h in result.highlights] == [
        (
            "a wealth of information creates a poverty of attention",
            "Attention is the scarce resource, not information.",
            "Designing Organizations for an Information-Rich World — https://example.org/essays/attention",
            ("attention", "information_economics"),
            4,
        ),
        (
            "Notes are not a record\nof thinking; they are the thinking.",
            "",
            "https://example.com/blog/2023/zettelkasten",  # no document title
            (),
            55,
        ),
        (
            "Write for your future self, who has forgotten everything.",
            "笔记就是思考本身，而不是思考的记录。",
            "How I take notes — https://example.com/blog/2023/zettelkasten",
            ("笔记",),
            74,
        ),
    ]
    assert result.skipped == {"page note without a quote": 1, "reply to an annotation": 1}


def test_the_clients_export_file():
    result = import_file(FIXTURES / "hypothesis_export.json", "export.json")
    assert [(h.front, h.back, h.tags) for h in result.highlights] == [
        ("retention declines exponentially unless the material is reviewed",
         "Spacing beats cramming: the basis of every SRS.", ("memory", "srs")),
    ]
    assert result.highlights[0].source == (
        "Memory: A Contribution to Experimental Psychology — https://example.net/papers/forgetting-curve.pdf"
    )
    assert result.skipped == {"page note without a quote": 1}


def test_a_plain_list_and_awkward_values(tmp_path):
    annotations = [
        _annotation("First quote", "first note", tags=["a tag", 7, ""], document={"title": "A title as a string"}),
        _annotation("   ", "a highlight of nothing but spaces"),
        _annotation("Second quote", text=None, tags="not-a-list", document={"title": []}),
        "a stray string",
        _annotation(None, "a page note"),
    ]
    path = tmp_path / "list.json"
    text = json.dumps(annotations, indent=2, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    starts = [number for number, line in enumerate(text.split("\n"), 1) if line.startswith(("  {", '  "'))]
    assert len(starts) == len(annotations)
    result = import_file(path, "list.json")
    assert result.format == "hypothesis"
    assert [(h.front, h.back, h.tags, h.line) for h in result.highlights] == [
        ("First quote", "first note", ("a_tag",), 2),
        ("Second quote", "", (), starts[2]),
    ]
    assert result.highlights[0].source == "A title as a string — https://example.org/a"
    assert result.skipped == {"empty highlight": 1, "not an annotation": 1, "page note without a quote": 1}


def test_an_export_with_no_annotations_is_recognised_and_empty(tmp_path):
    path = tmp_path / "empty.json"
    path.write_text('{"total": 0, "rows": []}', encoding="utf-8")
    result = import_file(path, "empty.json")
    assert (result.format, result.highlights, result.skipped) == ("hypothesis", [], {})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[\n  {"uri": "x", "text": "y",}\n]', "bad.json:2: not valid JSON: Expecting property name enclosed in double "
                                              "quotes (column 28)"),
        ('{"rows": [\n\n', "bad.json:3: not valid JSON: Expecting value (column 1)"),
        ('{"rows": "not a list"}', "bad.json:1: not a Hypothesis export (expected a list of annotations, "
                                   "or an object with 'rows' or 'annotations')"),
    ],
)
def test_bad_json_given_as_hypothesis_is_one_error_with_its_line(tmp_path, text, message):
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FlashcardsError) as error:
        import_file(path, "bad.json", "hypothesis")
    assert str(error.value) == message
