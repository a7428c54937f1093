"""The Anki card as Anki renders it (its question/answer HTML and the note type's CSS from a real collection),
laid out by headless Chromium: passage, commentary and source start at one left edge in light and night
mode, and Chinese and Japanese text is marked with its language so the CJK rules apply."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import import_apkg
from flashcards.anki.note_type import QUESTION
from flashcards.anki.package_out import export_decks, field_html
from flashcards.model import Card, Deck

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
CARDS = [
    Card("en", "The map is not the territory, and the territory is not the map.", "A note on models: every one is a "
         "simplification of what it describes.", "Science and Sanity, Alfred Korzybski"),
    Card("zh", "这一发现揭示了AI性能与推理计算资源之间的正相关关系。", "令人惊讶的是：这个「飞轮」一旦转起来，差距将不再是线性的。",
         "seeds/a.txt:1"),
    Card("ja", "日本語の文：地図は領土ではない。", "モデルはすべて、現実を単純化したものです。", "notes.txt:3"),
    Card("mixed", "The word 飞轮 means flywheel in this long English sentence.", "Anthropic 一家的算力投入就超过智谱 AI 和 "
         "MiniMax 合计的十倍以上", "notes.txt:4"),
]
LANGUAGES = {"en": (None, None), "zh": ("zh", "zh"), "ja": ("ja", "ja"), "mixed": (None, "zh")}
# For each block: where its first line of text starts, its language and font style.
MEASURE = """
const out = {};
for (const name of ["passage", "commentary", "source"]) {
  const block = document.querySelector("." + name);
  if (!block) continue;
  const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
  const text = walker.nextNode();
  const range = document.createRange();
  range.selectNodeContents(text);
  const holder = text.parentElement;
  out[name] = {left: range.getClientRects()[0].left, lang: holder.closest("[lang]")?.getAttribute("lang") || null,
               style: getComputedStyle(holder).fontStyle, lineBreak: getComputedStyle(holder).lineBreak,
               color: getComputedStyle(holder).color};
}
out.background = getComputedStyle(document.body).backgroundColor;
document.body.setAttribute("data-measured", JSON.stringify(out));
"""


def anki_answers(tmp_path, anki_collection) -> dict[str, str]:
    """Each card's answer side as Anki renders it (HTML with the note type's CSS in a <style>)."""
    export_decks([Deck("Render", CARDS)], tmp_path / "render.apkg")
    import_apkg(anki_collection, tmp_path / "render.apkg")
    answers = {}
    for note_id in anki_collection.find_notes(""):
        card = anki_collection.get_note(note_id).cards()[0]
        answer = card.answer()
        assert "block.lang" in card.question() and "block.lang" in answer  # Anki keeps the script
        if "<style>" not in answer:
            answer = f"<style>{card.note_type()['css']}</style>{answer}"
        answers[next(c.id for c in CARDS if field_html(c.front) in answer)] = answer
    return answers


def page(answer: str, night: bool) -> str:
    """The answer in a page shaped like Anki's reviewer (body.card, #qa, night mode classes)."""
    body = "card nightMode night_mode" if night else "card"
    return (f'<!doctype html><html class="{"night-mode" if night else ""}"><head><meta charset="utf-8">'
            f"<style>body {{ margin: 20px; overflow-wrap: break-word; }}</style></head>"
            f'<body class="{body}"><div id="qa">{answer}</div><script>{MEASURE}</script></body></html>')


def chromium(*args: str, tmp_path: Path) -> str:
    profile = tmp_path / "chromium-profile"
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={profile}", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True).stdout


def measure(html_path: Path, width: int, tmp_path: Path) -> dict:
    dom = chromium(f"--window-size={width},900", "--dump-dom", html_path.as_uri(), tmp_path=tmp_path)
    found = re.search(r'data-measured="([^"]*)"', dom)
    assert found, dom[:2000]
    return json.loads(found.group(1).replace("&quot;", '"'))


def test_the_card_templates_carry_the_language_marking_script_with_no_field_syntax_inside():
    script = QUESTION.split("</blockquote>", 1)[1]
    assert "<script>" in script and "block.lang" in script and "{{" not in script


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
@pytest.mark.parametrize("night", [False, True], ids=["light", "night"])
@pytest.mark.parametrize("width", [1200, 420])
def test_passage_commentary_and_source_start_at_one_left_edge_as_anki_renders_the_card(tmp_path, anki_collection,
                                                                                         night, width):
    answers = anki_answers(tmp_path, anki_collection)
    for card_id, answer in answers.items():
        html_path = tmp_path / f"{card_id}.html"
        html_path.write_text(page(answer, night), encoding="utf-8")
        measured = measure(html_path, width, tmp_path)
        lefts = {measured[name]["left"] for name in ("passage", "commentary", "source")}
        assert max(lefts) - min(lefts) < 1, (card_id, measured)
        passage, commentary = LANGUAGES[card_id]
        assert (measured["passage"]["lang"], measured["commentary"]["lang"]) == (passage, commentary), measured
        assert measured["passage"]["style"] == ("italic" if passage is None else "normal")  # CJK stays upright
        if commentary:
            assert measured["commentary"]["lineBreak"] == "strict"
        dark = measured["background"] == "rgb(28, 27, 25)"
        assert dark == night
        if width == 1200 and card_id == "zh":
            chromium(f"--window-size={width},700", f"--screenshot={tmp_path / f'{card_id}-{night}.png'}",
                     html_path.as_uri(), tmp_path=tmp_path)
            assert (tmp_path / f"{card_id}-{night}.png").stat().st_size > 5_000
