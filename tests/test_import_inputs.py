"""Inputs that are no regular file are read once: a named pipe, standard input as `-` or /dev/stdin, a process
substitution, each converted like the same bytes in a file; what cannot be read is refused within the cap. A
very long line is read in linear time and bounded memory. Every convert runs as a person runs it, in a
subprocess with a timeout: a hang fails the test."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from flashcards.decks.deckfile.reader import load_deck
from flashcards.errors import FlashcardsError

pytestmark = pytest.mark.slow  # end to end (large inputs through pipes and the CLI): run by CI, left out of the quick loop

REPO = Path(__file__).resolve().parent.parent
PAIRS = "a passage from a pipe\n\nits commentary\nsecond passage\nsecond note\n"
TIMEOUT = 60  # seconds: far more than any of these needs; reached only by a hang


def _convert(tmp_path: Path, *args: str, stdin: bytes | None = None, shell: str | None = None,
             timeout: float = TIMEOUT) -> subprocess.CompletedProcess[str]:
    """`flashcards convert ARGS` (or a shell line running it as `$FLASHCARDS`) with its output as text."""
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200", "FLASHCARDS_DB": str(tmp_path / "fc.db"),
           "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
           "FLASHCARDS": f"{sys.executable} -m flashcards"}
    env.pop("FLASHCARDS_DEBUG", None)
    command = ["bash", "-c", shell] if shell else [sys.executable, "-m", "flashcards", "convert", *args]
    try:
        done = subprocess.run(command, input=stdin, capture_output=True, timeout=timeout, env=env, cwd=tmp_path,
                              check=False)
    except subprocess.TimeoutExpired:
        pytest.fail(f"convert did not end within {timeout} s (it hangs)")
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout.decode(errors="replace"),
                                       done.stderr.decode(errors="replace"))


def _cards(deck: Path) -> list[tuple[str, str, str]]:
    return [(card.front, card.back, card.source) for card in load_deck(deck).cards]


def _writer(fifo: Path, data: bytes) -> threading.Thread:
    """A thread writing `data` into the named pipe once a reader opens it, then closing it."""
    def write() -> None:
        try:
            with open(fifo, "wb") as pipe:  # blocks until the reader opens its end
                pipe.write(data)
        except OSError:
            pass  # the reader went away
    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    return thread


def _release(fifo: Path, thread: threading.Thread) -> None:
    """Let a writer still waiting for a reader finish (the convert never opened the pipe)."""
    if thread.is_alive():
        descriptor = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        thread.join(5)
        os.close(descriptor)


def test_a_named_pipe_is_read_once_and_converted(tmp_path):
    fifo = tmp_path / "highlights.pipe"
    os.mkfifo(fifo)
    writer = _writer(fifo, PAIRS.encode("utf-8"))
    try:
        done = _convert(tmp_path, str(fifo), "-o", str(tmp_path / "deck.yaml"))
    finally:
        _release(fifo, writer)
    assert done.returncode == 0, done.stderr
    assert _cards(tmp_path / "deck.yaml") == [
        ("a passage from a pipe", "its commentary", "highlights.pipe:1"),
        ("second passage", "second note", "highlights.pipe:4"),
    ]
    assert "highlights.pipe: pairs, 2 cards added" in done.stdout


def test_a_large_export_through_a_named_pipe_is_streamed_like_a_file(tmp_path):
    lines = "".join(f"passage number {index}\nits note {index}\n" for index in range(40_000))  # past the head
    (tmp_path / "same.txt").write_text(lines, encoding="utf-8")
    fifo = tmp_path / "big.pipe"
    os.mkfifo(fifo)
    writer = _writer(fifo, lines.encode("utf-8"))
    try:
        piped = _convert(tmp_path, str(fifo), "-o", str(tmp_path / "piped.yaml"))
    finally:
        _release(fifo, writer)
    assert piped.returncode == 0, piped.stderr
    assert _convert(tmp_path, str(tmp_path / "same.txt"), "-o", str(tmp_path / "file.yaml")).returncode == 0
    from_pipe, from_file = _cards(tmp_path / "piped.yaml"), _cards(tmp_path / "file.yaml")
    assert len(from_pipe) == 40_000
    assert [card[:2] for card in from_pipe] == [card[:2] for card in from_file]


def test_a_dash_reads_standard_input(tmp_path):
    done = _convert(tmp_path, "-", "-o", str(tmp_path / "deck.yaml"), stdin=PAIRS.encode("utf-8"))
    assert done.returncode == 0, done.stderr
    assert _cards(tmp_path / "deck.yaml") == [
        ("a passage from a pipe", "its commentary", "stdin:1"),
        ("second passage", "second note", "stdin:4"),
    ]
    assert "stdin: pairs, 2 cards added" in done.stdout


def test_a_dash_with_other_inputs_and_an_empty_standard_input(tmp_path):
    (tmp_path / "more.txt").write_text("a passage from a file\nits note\n", encoding="utf-8")
    done = _convert(tmp_path, "more.txt", "-", "-o", "deck.yaml", stdin=PAIRS.encode("utf-8"))
    assert done.returncode == 0, done.stderr
    assert [card[0] for card in _cards(tmp_path / "deck.yaml")] == [
        "a passage from a file", "a passage from a pipe", "second passage"]
    empty = _convert(tmp_path, "-", "-o", "empty.yaml", stdin=b"")
    assert empty.returncode == 1 and empty.stderr.strip() == "error: stdin: file is empty"
    assert not (tmp_path / "empty.yaml").exists()


@pytest.mark.parametrize("shell", [
    "printf 'passage\\n\\ncommentary\\n' | $FLASHCARDS convert /dev/stdin -o deck.yaml",
    "$FLASHCARDS convert <(printf 'passage\\n\\ncommentary\\n') -o deck.yaml",
    "printf 'passage\\n\\ncommentary\\n' | $FLASHCARDS convert - -o deck.yaml",
])
def test_dev_stdin_and_a_process_substitution_are_read(tmp_path, shell):
    done = _convert(tmp_path, shell=shell)
    assert done.returncode == 0, done.stderr
    assert [card[:2] for card in _cards(tmp_path / "deck.yaml")] == [("passage", "commentary")]


def test_a_kobo_database_and_a_pdf_read_through_a_pipe(tmp_path):
    from pdfmaker import Page, write_pdf
    from test_import_kobo import make_kobo

    database = make_kobo(tmp_path / "KoboReader.sqlite")
    kobo = _convert(tmp_path, "-", "-o", "kobo.yaml", stdin=database.read_bytes())
    assert kobo.returncode == 0, kobo.stderr
    assert "stdin: kobo, 3 cards added" in kobo.stdout
    pdf = write_pdf(tmp_path / "made.pdf", [Page(texts=[(72, 700, "A page of text with nothing highlighted.")])])
    refused = _convert(tmp_path, "-", "-o", "pdf.yaml", stdin=pdf.read_bytes())
    assert refused.returncode == 1
    assert refused.stderr.startswith("error: stdin: a PDF: highlights are read from its annotations, and this one "
                                     "has none")
    assert len(refused.stderr.strip().splitlines()) == 1


def test_binary_junk_through_a_pipe_is_refused_at_once_with_the_same_line_as_from_a_file(tmp_path):
    junk = bytes(range(256)) * 64
    (tmp_path / "blob.bin").write_bytes(junk)
    from_file = _convert(tmp_path, "blob.bin", "-o", "deck.yaml")
    piped = _convert(tmp_path, "-", "-o", "deck.yaml", stdin=junk)
    assert piped.returncode == from_file.returncode == 1
    assert piped.stderr.replace("stdin: ", "blob.bin: ") == from_file.stderr
    assert "binary data, not a text export" in piped.stderr
    assert not (tmp_path / "deck.yaml").exists()


def test_a_pipe_longer_than_the_cap_is_refused_once_the_cap_is_read(tmp_path, monkeypatch):
    from flashcards.files import textio
    from flashcards.importers import import_file

    monkeypatch.setattr(textio, "MAX_INPUT_BYTES", 2**20)
    fifo = tmp_path / "endless.pipe"
    os.mkfifo(fifo)
    writer = subprocess.Popen(["sh", "-c", f"yes 'a line of text' > {fifo}"], stderr=subprocess.DEVNULL)
    try:
        with pytest.raises(FlashcardsError, match=r"^endless\.pipe: more than 1 MiB; exports over that are refused"):
            import_file(fifo, "endless.pipe")
    finally:
        writer.kill()
        writer.wait()


_LAUNCHER = ("import resource, subprocess, sys\n"
             "with open(sys.argv[1], 'rb') as stdin:\n"
             "    done = subprocess.run(sys.argv[2:], stdin=stdin, capture_output=True, text=True)\n"
             "sys.stderr.write(done.stderr)\n"
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
             "sys.exit(done.returncode)\n")


def _peak_rss(tmp_path: Path, *args: str, stdin: str = os.devnull) -> int:
    """Peak resident memory (bytes) of `flashcards convert ARGS`, run by a small launcher (a child forked straight
    from this large test process would count the pages it shares with it)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
           "FLASHCARDS_DB": str(tmp_path / "fc.db")}
    command = [sys.executable, "-m", "flashcards", "convert", *args]
    try:
        done = subprocess.run([sys.executable, "-c", _LAUNCHER, stdin, *command], capture_output=True, text=True,
                              env=env, check=False, timeout=TIMEOUT * 2)
    except subprocess.TimeoutExpired:
        pytest.fail("convert did not end in time")
    assert done.returncode == 0, done.stderr
    return int(done.stdout.split()[-1]) * 1024


LONG_LINE = ("a long passage, " * 1_250_000)[:20_000_000].strip()  # (commas: it is weighed as a table too)


@pytest.mark.parametrize("how", ["a file", "a pipe"])
def test_a_20_mb_line_converts_in_memory_bounded_by_its_size(tmp_path, how):
    (tmp_path / "tiny.txt").write_text("a passage\nits note\n", encoding="utf-8")
    baseline = _peak_rss(tmp_path, str(tmp_path / "tiny.txt"), "-o", str(tmp_path / "tiny.yaml"))
    path = tmp_path / "long.txt"
    path.write_text(f"{LONG_LINE}\nits note\n", encoding="utf-8")
    size = path.stat().st_size
    source = [str(path)] if how == "a file" else ["-"]
    peak = _peak_rss(tmp_path, *source, "-o", str(tmp_path / "deck.yaml"), stdin=str(path))
    # it peaked at 14 times its size: the line built again for every chunk read, and the passage's white space
    # collapsed into a list of its words for its id. Now about 4: reading 2, writing the card's YAML 3 (PyYAML).
    assert peak - baseline < 6 * size, f"peak {peak / 2**20:.0f} MiB, baseline {baseline / 2**20:.0f} MiB"
    [card] = load_deck(tmp_path / "deck.yaml").cards
    assert (len(card.front), card.back) == (len(LONG_LINE), "its note") and card.front == LONG_LINE


_READ_AND_NAME = """
import sys
from pathlib import Path
from flashcards.decks.merge import DeckMerger
from flashcards.importers import import_file

def high_water():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM:"))

before = high_water()
result = import_file(Path(sys.argv[1]), "long.txt")
DeckMerger().add(result.highlights)  # each passage's id
print(len(result.highlights), high_water() - before)
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the peak from /proc")
def test_reading_a_20_mb_line_and_naming_its_card_peak_under_three_times_its_size(tmp_path):
    path = tmp_path / "long.txt"
    path.write_text(f"{LONG_LINE}\nits note\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", _READ_AND_NAME, str(path)], capture_output=True, text=True,
                          env=env, timeout=TIMEOUT, check=False)
    assert done.returncode == 0, done.stderr
    cards, grown = map(int, done.stdout.split())
    assert cards == 1
    # the passage's id took 11 times its size (re.sub collapsing its white space at once)
    assert grown < 3 * path.stat().st_size, f"grew {grown / 2**20:.0f} MiB"


def test_a_long_passage_is_named_as_model_card_id_names_it(monkeypatch):
    import hashlib
    import re
    import unicodedata

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from flashcards import model
    from flashcards.decks import merge
    from flashcards.model import card_id

    monkeypatch.setattr(model, "_PIECE", 3)  # every passage is cut into pieces, at every kind of place
    spaces = [chr(code) for code in range(0x3001) if chr(code).isspace()]

    @settings(max_examples=500, deadline=None)
    @given(st.lists(st.sampled_from(["a", "b", "e\u0301", "\u00e9", "\u212b", "A\u030a", "中", *spaces]),
                    max_size=40).map("".join))
    def named_alike(text):
        whole = hashlib.sha256(re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip().encode()).hexdigest()
        assert merge.passage_id(text) == card_id(text) == whole[:16]  # the id as it always was, collapsed at once

    named_alike()


def test_a_20_mb_line_without_a_line_end_becomes_a_card_with_a_warning(tmp_path):
    line = "word " * 4_000_000 + "end"
    (tmp_path / "one.txt").write_text(line, encoding="utf-8")
    done = _convert(tmp_path, "one.txt", "-o", "deck.yaml")
    assert done.returncode == 0, done.stderr
    assert "warning: one.txt:1: last passage has no commentary; its card has an empty back" in done.stdout
    [card] = load_deck(tmp_path / "deck.yaml").cards
    assert card.front == line and card.back == ""


def test_a_20_mb_line_of_no_format_is_refused_with_one_line(tmp_path):
    (tmp_path / "digits.txt").write_text("12345 67890 " * 1_700_000, encoding="utf-8")
    done = _convert(tmp_path, "digits.txt", "-o", "deck.yaml")
    assert done.returncode == 1
    assert done.stderr.startswith("error: digits.txt: text in none of the formats we read; ")
    assert len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "deck.yaml").exists()
