"""The stats page as headless Chromium lays it out, at a phone's 390 px and a desktop's 1200 px, in every range:
nothing wider than the window (no sideways scroll), no value labels on top of each other, no label cut at an
edge, and the range picked with a label shows that range's blocks only (CSS alone: the page has no script)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import UTC
from html import escape, unescape
from pathlib import Path

import pytest
from stats_history import NOW, realistic

from flashcards.stats.numbers import compute_stats
from flashcards.ui.stats_html import render_html

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
# Run in the page's frame once it is laid out: pick each range by clicking its label (as a person would), measure.
MEASURE = """
function measure(doc, win) {
  const out = {};
  const width = doc.documentElement.clientWidth;
  const box = el => { const b = el.getBoundingClientRect(); return {l: b.left, r: b.right, t: b.top, b: b.bottom}; };
  const shown = el => { const b = el.getBoundingClientRect(); return el.getClientRects().length > 0 && (b.width > 0 || b.height > 0); };
  const name = el => { const s = el.closest("section"); return (s ? s.id : "") + " " + el.tagName + " " + (el.textContent || "").slice(0, 20); };
  for (const input of doc.querySelectorAll("input[name=range]")) {
    doc.querySelector(`label[for="${input.id}"]`).click();
    const result = {checked: input.checked, scroll: doc.scrollingElement.scrollWidth, width: width, outside: [],
                    overlaps: [], ranges: [], charts: 0, labels: 0};
    for (const el of doc.querySelectorAll("section, svg, table, nav, .heat, .hm-months span, svg text, h2, p")) {
      if (!shown(el)) continue;
      const b = box(el);
      if (b.l < -0.5 || b.r > width + 0.5) result.outside.push([name(el), b.l, b.r]);
    }
    for (const block of doc.querySelectorAll(".rg")) if (shown(block)) result.ranges.push(block.dataset.range);
    for (const svg of doc.querySelectorAll("svg.cols")) {
      if (!shown(svg)) continue;
      result.charts++;
      const groups = [[...svg.querySelectorAll("text.v")], [...svg.querySelectorAll("text:not(.v):not(.y):not(.p)")]];
      groups.forEach((texts, index) => {
        const boxes = texts.filter(t => win.getComputedStyle(t).display !== "none").map(box);
        if (index === 0) result.labels += boxes.length;
        for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
          const a = boxes[i], c = boxes[j];
          if (a.l < c.r - 0.5 && c.l < a.r - 0.5 && a.t < c.b - 0.5 && c.t < a.b - 0.5)
            result.overlaps.push([name(svg), texts[i].textContent, texts[j].textContent]);
        }
      });
    }
    const months = [...doc.querySelectorAll(".hm-months span")].filter(shown).map(box);
    for (let i = 0; i + 1 < months.length; i++)
      if (months[i].t === months[i + 1].t && months[i].r > months[i + 1].l) result.overlaps.push(["months", i]);
    out[input.value] = result;
  }
  return out;
}
const frame = document.getElementById("page");
frame.addEventListener("load", () => {
  document.body.setAttribute("data-measured", JSON.stringify(measure(frame.contentDocument, frame.contentWindow)));
});
"""


def measure(page: str, width: int, tmp_path: Path) -> dict:
    """The page laid out in a frame `width` px wide (headless Chromium's window is 500 px at the least), its CSP
    left out only so that the measuring script may reach into it."""
    assert "<script" not in page
    page = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", page)
    path = tmp_path / f"stats-{width}.html"
    path.write_text(f'<!doctype html><html><body style="margin:0"><iframe id="page" style="width:{width}px;height:2400px;'
                    f'border:0" srcdoc="{escape(page, quote=True)}"></iframe><script>{MEASURE}</script></body></html>',
                    encoding="utf-8")
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
               f"--user-data-dir={tmp_path / 'profile'}", f"--window-size={max(width, 500) + 20},2400", "--dump-dom",
               path.as_uri()]
    dom = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True).stdout
    found = re.search(r'data-measured="([^"]*)"', dom)
    assert found, dom[-2000:]
    return json.loads(unescape(found.group(1)))


@pytest.fixture(scope="module")
def page() -> str:
    snapshots, log = realistic()
    return render_html(compute_stats(snapshots, log, NOW, tz=UTC), {"desired retention": "90%"})


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
@pytest.mark.parametrize("width", [390, 1200])
def test_every_chart_fits_the_window_in_every_range_with_no_labels_on_top_of_each_other(page, width, tmp_path):
    measured = measure(page, width, tmp_path)
    assert sorted(measured) == ["1m", "1y", "3m", "all"]
    for key, result in measured.items():
        assert result["checked"], key
        assert result["scroll"] <= width, (key, result["scroll"])  # no sideways scroll
        assert result["outside"] == [], (key, result["outside"])
        assert result["overlaps"] == [], (key, result["overlaps"])
        assert set(result["ranges"]) == {key}, (key, result["ranges"])  # only the picked range's blocks show
        # forecast, reviews, time, cards added, buttons, hours of the range; difficulty and retrievability
        assert result["charts"] == 8, key
    if width == 1200:
        assert measured["1m"]["labels"] > 100  # wide enough: the bars carry their numbers
    else:
        assert measured["1y"]["labels"] < measured["1m"]["labels"]  # 73 bars a chart: the numbers give way


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
def test_the_page_as_written_its_policy_forbidding_any_script_shows_the_range_that_is_checked(page, tmp_path):
    """No script is needed for the static view, nor to switch ranges: the page's own CSP allows none, and the same
    page with another range checked (what a tap on its label does) is drawn differently."""
    assert "default-src 'none'; style-src 'unsafe-inline'" in page and "<script" not in page
    shots = {}
    for key in ("1m", "3m", "1y", "all"):
        variant = page.replace(" checked aria-label", " aria-label").replace(
            f'id="range-{key}" value="{key}" aria-label', f'id="range-{key}" value="{key}" checked aria-label')
        path = tmp_path / f"stats-{key}.html"
        path.write_text(variant, encoding="utf-8")
        shot = tmp_path / f"{key}.png"
        subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        f"--user-data-dir={tmp_path / 'profile'}", "--window-size=390,1600", f"--screenshot={shot}",
                        path.as_uri()], capture_output=True, timeout=120, check=True)
        shots[key] = shot.read_bytes()
        assert len(shots[key]) > 20_000
    assert len(set(shots.values())) == 4
