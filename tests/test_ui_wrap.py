"""Line breaking for Chinese and Japanese card text, visible control characters, and key decoding."""

from __future__ import annotations

import itertools
import re

from hypothesis import example, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from flashcards.ui.keys import split_keys, windows_key
from flashcards.ui.wrap import NO_END, NO_START, visible, wrap

SEED_BACK = ("令人惊讶的是:AI训练数据量在短短16年间增长了1万亿倍,这是一个难以想象的指数级增长。这种计算能力的爆炸式发展"
             "远超人类直觉,解释了为什么AI进步如此迅速且难以预测。这个「飞轮」一旦转起来，计算差距将不再是线性的……")
LATIN_WORD = re.compile(r"[A-Za-z0-9]+")


def test_why_ai_never_splits_ai_at_any_width():
    for width in range(4, 60):
        lines = wrap("为什么AI进步如此迅速", width)
        assert "".join(lines) == "为什么AI进步如此迅速"
        assert any("AI" in line for line in lines), (width, lines)
        assert all(cell_len(line) <= width for line in lines)


def test_no_line_starts_with_closing_or_ends_with_opening_punctuation_in_a_real_commentary():
    for width in range(6, 70):
        lines = wrap(SEED_BACK, width)
        assert "".join(lines) == SEED_BACK
        assert all(line[0] not in NO_START for line in lines[1:]), (width, lines)
        assert all(line[-1] not in NO_END for line in lines), (width, lines)
        assert all(cell_len(line) <= width for line in lines)
        for word in LATIN_WORD.findall(SEED_BACK):
            assert any(word in line for line in lines), (width, word, lines)


def test_latin_text_breaks_at_spaces_and_keeps_paragraphs():
    assert wrap("the map is not the territory", 10) == ["the map is", "not the", "territory"]
    assert wrap("one\n\ntwo", 10) == ["one", "", "two"]
    assert wrap("supercalifragilistic", 8) == ["supercal", "ifragili", "stic"]  # only a word wider than the line


cjk_text = st.text(alphabet=st.sampled_from(list("我们的地图领土不是。，、！？」）「（ABCxyz12 …")), max_size=80)


@settings(max_examples=500, deadline=None)
@given(cjk_text, st.integers(min_value=6, max_value=40))
@example("11、、、", 6)  # cases hypothesis once found: a word with more punctuation than a line holds
@example("「111、", 6)
@example("11 、、111、、", 6)
@example("「 「「", 6)
@example("「 1111", 6)  # opening punctuation glued across a space: the space is where to break  # nothing but opening punctuation: some line must end with it
def test_any_mix_of_chinese_latin_and_punctuation_wraps_by_the_rules(text, width):
    lines = wrap(text, width)
    assert all(cell_len(line) <= width for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")  # nothing lost but spaces at breaks
    rest = text
    for previous, line in itertools.pairwise(lines):
        rest = rest[len(previous):]
        at_space = rest[:1] == " "
        rest = rest.lstrip(" ")
        if at_space:
            continue
        if line[0] in NO_START:  # only where a run of punctuation fills a line
            assert all(char in NO_START for char in previous[1:]), lines
        assert previous[-1] not in NO_END or all(char in NO_END for char in previous.replace(" ", "")), lines
        if LATIN_WORD.fullmatch(previous[-1]) and LATIN_WORD.fullmatch(line[0]):
            # a word is cut only when it (with the punctuation that must stay with it) is wider than a line
            unbreakable = re.escape("".join(NO_START))
            opening = re.escape("".join(NO_END))  # opening punctuation stays with the word after it
            tail = re.search(rf"[{opening}]*[A-Za-z0-9{unbreakable}]+$", previous).group()
            head = re.match(rf"[A-Za-z0-9{unbreakable}]+", rest).group()  # the unit runs on past this line
            assert cell_len(tail + head) > width, lines


def test_control_characters_are_shown_not_sent():
    assert visible("a\x1b]0;pwned\x07b") == "a␛]0;pwned␇b"
    assert visible("\x1b]52;c;ZXZpbA==\x1b\\") == "␛]52;c;ZXZpbA==␛\\"
    assert visible("csi\x9b2J del\x7f tab\tnl\n") == "csi<9B>2J del␡ tab    nl\n"
    assert "\x1b" not in "".join(wrap("x\x1b[2Jy " * 20, 12))


def test_escape_sequences_from_the_terminal_become_key_names():
    assert split_keys("j\x1b[A\x1b[B\x1b[5~\x1b[6~\x1bOB k") == (["j", "up", "down", "pgup", "pgdn", "down", " ", "k"], "")
    assert split_keys("3\x1b[") == (["3"], "\x1b[")  # the rest of the sequence has not arrived yet
    assert split_keys("\x1bq") == (["esc", "q"], "")
    assert split_keys("\x1b[99~") == ([""], "")  # unknown sequences are ignored, never typed
    assert split_keys("我") == (["我"], "")


def test_windows_console_keys_become_the_same_names():
    assert windows_key("\xe0", "P") == "down" and windows_key("\x00", "I") == "pgup" and windows_key("\xe0", "Q") == "pgdn"
    assert windows_key("3", None) == "3" and windows_key("\x1b", None) == "esc"
