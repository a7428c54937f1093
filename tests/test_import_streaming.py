"""A large line-based export (Kindle clippings, pairs) is decoded and parsed line by line: the same cards,
warnings and errors as reading it whole, with memory bounded by what it gives rather than by its text."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flashcards.errors import FlashcardsError
from flashcards.files import textio
from flashcards.importers import ImportOptions, detect_format, import_file, stream

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))  # the benchmark's generators
from generate import write_kindle_clippings

FIXTURES = Path(__file__).parent / "fixtures" / "import"
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def small_head(monkeypatch):
    """Stream from a few hundred characters on, in chunks of a few bytes: every cut a real file meets."""
    monkeypatch.setattr(stream, "HEAD_CHARS", 300)
    monkeypatch.setattr(stream, "CHUNK_BYTES", 7)


def whole(path: Path, source: str):
    """What reading the file whole gives (the way every export was read before streaming)."""
    text = textio.read_text(path, source)
    return detect_format(text, source).parse(text, source, ImportOptions())


def same(a, b) -> bool:
    return (a.format, a.highlights, a.warnings, a.skipped) == (b.format, b.highlights, b.warnings, b.skipped)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.text(alphabet="ab \r\n\t中\u3000\ufeff=", max_size=600), bom=st.booleans(),
       encoding=st.sampled_from(["utf-8", "utf-16-le", "utf-32-be"]))
def test_lines_read_as_decoded_are_the_lines_of_the_whole_text(tmp_path, small_head, body, bom, encoding):
    text = "a first passage line\r\n" + body * 2
    marks = {"utf-8": b"\xef\xbb\xbf", "utf-16-le": b"\xff\xfe", "utf-32-be": b"\x00\x00\xfe\xff"}
    if encoding != "utf-8":
        bom = True
    data = (marks[encoding] if bom else b"") + text.encode(encoding)
    path = tmp_path / "in.txt"
    path.write_bytes(data)
    lines = stream.open_lines(path, "in.txt")
    expected = textio.decode_bytes(data, "in.txt")
    if lines is None:
        assert len(data) <= stream.HEAD_CHARS or len(expected) < stream.HEAD_CHARS
        return
    try:
        assert expected.startswith(lines.head)
        assert list(lines) == expected.split("\n")
    finally:
        stream.close_lines(lines)


def test_a_large_kindle_file_gives_what_reading_it_whole_gives(tmp_path, small_head):
    path = tmp_path / "My Clippings.txt"
    path.write_bytes((FIXTURES / "kindle_en.txt").read_bytes() * 3 + (FIXTURES / "kindle_zh.txt").read_bytes())
    lines = stream.open_lines(path, "clips.txt")
    assert lines is not None  # it is streamed
    stream.close_lines(lines)
    streamed = import_file(path, "clips.txt")
    assert streamed.format == "kindle" and len(streamed.highlights) == 6
    assert same(streamed, whole(path, "clips.txt"))
    assert same(import_file(path, "clips.txt", "kindle"), streamed)


def test_a_large_pairs_file_gives_what_reading_it_whole_gives(tmp_path, small_head):
    path = tmp_path / "pairs.txt"
    lines = [f"passage number {index}, said the author\r\n" + ("" if index % 5 else "\r\n") + f"its note {index}\r"
             for index in range(41)]  # an odd count of lines: the last passage has no commentary
    path.write_text("".join(lines) + "a last passage\n\n", encoding="utf-8", newline="")
    streamed = import_file(path, "pairs.txt")
    assert streamed.format == "pairs" and len(streamed.highlights) == 42
    assert streamed.warnings == [f"pairs.txt:{streamed.highlights[-1].line}: last passage has no commentary; "
                                 "its card has an empty back"]
    assert same(streamed, whole(path, "pairs.txt"))


def test_gb18030_text_past_the_head_is_read_as_gb18030_as_before(tmp_path, small_head):
    text = "a passage in English\nits note\n" * 20 + "".join(f"第{index}段摘录的文字\n它的评论\n" for index in range(60))
    path = tmp_path / "gb.txt"
    path.write_bytes(text.encode("gb18030"))
    lines = stream.open_lines(path, "gb.txt")
    assert lines is not None  # its start decodes as UTF-8: streaming begins, and gives up at the first Chinese
    stream.close_lines(lines)
    result = import_file(path, "gb.txt")
    assert result.highlights[20].front == "第0段摘录的文字"
    assert same(result, whole(path, "gb.txt"))


def test_an_invalid_byte_past_the_head_gives_the_same_error_with_its_place(tmp_path, small_head):
    path = tmp_path / "bad.txt"
    good = ("a passage line\nits note\n" * 50).encode("utf-8")
    path.write_bytes(b"\xef\xbb\xbf" + good + b"\xff tail\n")
    with pytest.raises(FlashcardsError) as streamed:
        import_file(path, "bad.txt", "pairs")
    with pytest.raises(FlashcardsError) as read_whole:
        textio.read_text(path, "bad.txt")
    assert str(streamed.value) == str(read_whole.value) == f"bad.txt: not valid UTF-8 text (byte {3 + len(good)})"


_LAUNCHER = ("import resource, subprocess, sys\n"
             "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
             "sys.stderr.write(done.stderr)\n"
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
             "sys.exit(done.returncode)\n")


def _peak_rss_of_convert(path: Path, out: Path) -> int:
    """Peak resident memory (bytes) of `flashcards convert path -o out` in a child process.

    The child is started by a small launcher: a child forked straight from this (large) test process would
    count the pages it shares with it before it runs, and hide the convert's own peak."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    command = [sys.executable, "-m", "flashcards", "convert", str(path), "-o", str(out)]
    done = subprocess.run([sys.executable, "-c", _LAUNCHER, *command], capture_output=True, text=True, env=env,
                          check=False)
    assert done.returncode == 0, done.stderr
    return int(done.stdout.split()[-1]) * 1024


@pytest.mark.slow
@pytest.mark.parametrize("into", ["a new deck", "a deck written by hand"])
def test_converting_a_30_mb_kindle_file_peaks_under_twice_its_size(tmp_path, into):
    tiny = tmp_path / "tiny.txt"
    tiny.write_text("a passage\nits note\n", encoding="utf-8")
    baseline = _peak_rss_of_convert(tiny, tmp_path / "tiny.yaml")  # the interpreter and its modules
    path = tmp_path / "My Clippings.txt"
    write_kindle_clippings(path, 30_000_000)
    size = path.stat().st_size
    deck = tmp_path / "deck.yaml"
    if into != "a new deck":  # new cards are appended as text, the person's lines kept
        deck.write_text("# mine\nname: Reading\ncards:\n  - front: kept as it is  # a comment\n", encoding="utf-8")
    peak = _peak_rss_of_convert(path, deck)
    # read whole, it peaked at 6.5 times its size; streamed, 2.8; entries kept as columns and cards written as
    # they are made (never held as objects), about 1.3. Appending once built all the new text at once: 13x.
    assert peak - baseline < 2 * size, f"peak {peak / 2**20:.0f} MiB, baseline {baseline / 2**20:.0f} MiB"
    text = deck.read_text(encoding="utf-8")
    assert len(re.findall(r"^ *- id: ", text, re.M)) > 50_000
    if into != "a new deck":
        assert text.startswith("# mine\nname: Reading\ncards:\n  - front: kept as it is  # a comment\n")


def test_a_large_file_in_no_format_is_refused_with_the_same_message(tmp_path, small_head):
    path = tmp_path / "numbers.txt"
    path.write_text("12345 678 91011\n" * 100, encoding="utf-8")
    with pytest.raises(FlashcardsError) as refused:
        import_file(path, "numbers.txt")
    assert str(refused.value).startswith("numbers.txt: text in none of the formats we read; ")
