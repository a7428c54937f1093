"""A card's id is the SHA-256 of its passage's normal form (NFC, white space collapsed): the same, byte for byte, as
when the form was made at once by re.sub, though a long passage is now collapsed a piece at a time."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from flashcards import model
from flashcards.model import card_id, normalize_front

REPO = Path(__file__).resolve().parent.parent
SPACES = [chr(code) for code in range(0x110000) if chr(code).isspace()]


def normal_form_at_once(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(["a", "b", "e\u0301", "\u00e9", "\u212b", "A\u030a", "中", *SPACES]),
                          st.text(max_size=5)), max_size=40).map("".join),
       st.integers(1, 7))
def test_ids_and_normal_forms_are_what_they_were_however_the_passage_is_cut(text, piece):
    saved = model._PIECE
    model._PIECE = piece  # every passage cut into pieces, at every kind of place
    try:
        assert normalize_front(text) == normal_form_at_once(text)
        assert card_id(text) == hashlib.sha256(normal_form_at_once(text).encode("utf-8")).hexdigest()[:16]
    finally:
        model._PIECE = saved


_NAME_LONG = """
import resource, sys
from flashcards.model import card_id, normalize_front
text = "word\\t  " * (int(sys.argv[1]) // 7) + "end"
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
name = card_id(text)
after_id = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
form = normalize_front(text)
print((after_id - before) * 1024, (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) * 1024)
"""


def test_a_20_mb_passage_is_named_in_little_memory():
    """re.sub cut such a passage into a list of its words and spaces: ten times its size."""
    size = 20 * 2**20
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", _NAME_LONG, str(size)], capture_output=True, text=True, env=env,
                          check=True)
    named, formed = map(int, done.stdout.split())
    assert named < size // 4, f"card_id grew {named / 2**20:.0f} MiB"
    assert formed < 2 * size, f"normalize_front grew {formed / 2**20:.0f} MiB"  # the form itself, and its pieces
