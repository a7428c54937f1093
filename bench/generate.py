"""Synthetic highlight exports for the benchmark: realistic passage and commentary lengths, a third Chinese."""

from __future__ import annotations

import random
from pathlib import Path

_EN_WORDS = (
    "the of and to in is that it for as with was on be by this are from at an not have which or but more "
    "attention memory reading compute scaling model training data language network theory evidence argument "
    "history author chapter passage reader highlight retention forgetting curve interval review practice "
    "structure meaning context culture economy capital labour market power knowledge science method"
).split()
_ZH_CHARS = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面"
    "而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把"
    "性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质"
)


def passage(rng: random.Random, chinese: bool) -> str:
    """One passage: 15 to 60 English words, or 25 to 90 Chinese characters."""
    if chinese:
        return "".join(rng.choice(_ZH_CHARS) for _ in range(rng.randint(25, 90))) + "。"
    words = [rng.choice(_EN_WORDS) for _ in range(rng.randint(15, 60))]
    return " ".join(words).capitalize() + "."


def write_pairs_export(path: Path, count: int, seed: int = 7) -> None:
    """A pairs-format export of `count` distinct highlights; commentaries are mostly Chinese, as in the seeds."""
    rng = random.Random(seed)
    lines = []
    for index in range(count):
        front = passage(rng, chinese=index % 3 == 0)
        back = passage(rng, chinese=rng.random() < 0.7) + " " + passage(rng, chinese=rng.random() < 0.7)
        lines += [f"{front} ({index})", back]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
