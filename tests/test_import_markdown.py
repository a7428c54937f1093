"""Markdown notes: a `>` blockquote is the passage, the paragraphs after it the commentary."""

from __future__ import annotations

from pathlib import Path

from flashcards.importers import import_file

FIXTURES = Path(__file__).parent / "fixtures" / "import"


def test_quotes_and_their_commentary():
    result = import_file(FIXTURES / "notes.md", "notes/sapiens.md")
    assert result.format == "markdown"
    assert [(h.front, h.back, h.source, h.line) for h in result.highlights] == [
        (
            "The ability to speak about fictions is the most\nunique feature of Sapiens language.",
            "Shared myths let strangers cooperate.\n\nA second paragraph of commentary,\nwith a wrapped line.",
            "sapiens.md:10",
            10,
        ),
        (
            "Money is the most universal and most efficient system of mutual trust ever devised.",
            "金钱是有史以来最普遍也最有效的互信系统。",
            "sapiens.md:20",
            20,
        ),
        (
            "Culture tends to argue that it forbids only that which is unnatural.\n\n"
            "But from a biological perspective, nothing is unnatural.",
            "```text\n> not a quote: this sits in a code block inside the commentary\n```\n"
            "Whatever is possible is by definition also natural.",
            "sapiens.md:26",
            26,
        ),
    ]
    # the intro before the first quote, the headings and the text after the rule are not cards
    assert result.skipped == {"empty quote": 1}
    assert result.warnings == []


def test_quotes_without_commentary_and_quotes_in_code_are_handled(tmp_path):
    path = tmp_path / "n.md"
    path.write_text(
        "```\n> inside a code block before any quote\n```\n"
        "> First quote.\n\n> Second quote, right after.\n\n    indented commentary\n",
        encoding="utf-8",
    )
    result = import_file(path, "n.md")
    assert [(h.front, h.back, h.line) for h in result.highlights] == [
        ("First quote.", "", 4),
        ("Second quote, right after.", "indented commentary", 6),
    ]


def test_markdown_without_blockquotes_is_not_markdown(tmp_path):
    path = tmp_path / "plain.md"
    path.write_text("A passage\nits commentary\n", encoding="utf-8")
    assert import_file(path, "plain.md").format == "pairs"


def test_a_quote_without_commentary_warns_as_a_pairs_passage_does(tmp_path):
    path = tmp_path / "n.md"
    path.write_text("> First quote.\n\n> Second quote, with a note.\n\nthe note\n\n> Last quote.\n", encoding="utf-8")
    result = import_file(path, "notes/n.md")
    assert [(h.front, h.back) for h in result.highlights] == [
        ("First quote.", ""), ("Second quote, with a note.", "the note"), ("Last quote.", "")]
    assert result.warnings == [
        "notes/n.md:1: passage has no commentary; its card has an empty back",
        "notes/n.md:7: passage has no commentary; its card has an empty back",
    ]


def test_many_quotes_without_commentary_warn_for_the_first_ten_then_count_the_rest(tmp_path):
    path = tmp_path / "quotes.md"
    path.write_text("".join(f"> Quote number {index}.\n\n" for index in range(25)), encoding="utf-8")
    result = import_file(path, "quotes.md")
    assert len(result.highlights) == 25
    assert result.warnings[:2] == ["quotes.md:1: passage has no commentary; its card has an empty back",
                                   "quotes.md:3: passage has no commentary; its card has an empty back"]
    assert result.warnings[10:] == ["quotes.md: 15 more passages have no commentary; their cards have empty backs"]


def test_the_convert_report_warns_of_a_quote_without_commentary(tmp_path, cli):
    path = tmp_path / "n.md"
    path.write_text("> A quote.\n\nits note\n\n> A quote alone.\n", encoding="utf-8")
    result = cli("convert", str(path), "-o", str(tmp_path / "deck.yaml"))
    assert result.code == 0, result.stderr
    assert "n.md:5: passage has no commentary; its card has an empty back" in result.stdout
    assert "1 warning;" in result.stdout
