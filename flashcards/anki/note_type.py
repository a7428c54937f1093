"""The Anki note type our notes use: export, sync and import all read it from here.

Its id, name, field names and template names are frozen forever: Anki treats a changed note type as a new
one and would stop updating the notes people already have. Change the CSS freely; never the names.
"""

from __future__ import annotations

MODEL_ID = 1_736_452_389  # frozen forever
MODEL_NAME = "flashcards passage"
FIELDS = ("Passage", "Commentary", "Source")
TEMPLATE_NAME = "Passage"

# Marks each block written mostly in Chinese, Japanese or Korean with its language (kana make Han text
# Japanese; a CJK character counts as much as a Latin word, about five letters), so the :lang rules below
# apply; it runs wherever the card is shown, so notes edited in Anki are marked too. No "{{" in it: Anki
# would read that as a field.
MARK_LANGUAGE = """<script>
(function () {
  const count = (text, pattern) => (text.match(pattern) || []).length;
  for (const block of document.querySelectorAll(".passage, .commentary")) {
    const text = block.textContent;
    const kana = count(text, /[\\u3040-\\u30ff\\u31f0-\\u31ff\\uff66-\\uff9f]/g);
    const han = count(text, /[\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff]/g);
    const hangul = count(text, /[\\u1100-\\u11ff\\u3130-\\u318f\\uac00-\\ud7af]/g);
    const cjk = kana + han + hangul;
    const letters = count(text, /\\p{L}/gu) - cjk;
    if (cjk === 0 || cjk * 5 < letters) continue;
    block.lang = hangul > kana + han ? "ko" : (kana ? "ja" : "zh");
  }
})();
</script>"""
QUESTION = '<blockquote class="passage">{{Passage}}</blockquote>\n' + MARK_LANGUAGE
ANSWER = (
    "{{FrontSide}}\n"
    '<hr id="answer">\n'
    '<div class="commentary">{{Commentary}}</div>\n'
    '{{#Source}}<div class="source">{{Source}}</div>{{/Source}}\n' + MARK_LANGUAGE
)
# One column: every block has the same width, margins, border and padding in px (not em: the blocks have
# different font sizes), so passage, commentary and source start at one left edge; the passage's bar sits in
# the gutter the others leave transparent. Blocks in Chinese or Japanese carry lang (see MARK_LANGUAGE).
CSS = """\
.card {
  font-family: "Iowan Old Style", "Palatino Linotype", Palatino, Georgia, "Noto Serif CJK SC",
    "Source Han Serif SC", "Songti SC", "Hiragino Mincho ProN", "Yu Mincho", "SimSun", serif;
  font-size: 21px;
  line-height: 1.65;
  color: #1f1d1a;
  background-color: #fbf9f4;
  text-align: left;
}
.passage, .commentary, .source, hr#answer {
  box-sizing: border-box;
  max-width: 760px;
  margin-left: auto;
  margin-right: auto;
  padding: 0 0 0 18px;
  border: none;
  border-left: 4px solid transparent;
}
.passage {
  margin-top: 0.6em;
  margin-bottom: 0;
  padding-top: 0.2em;
  padding-bottom: 0.2em;
  border-left-color: #c9a227;
  font-style: italic;
  quotes: "\\201C" "\\201D";
}
.passage:lang(zh), .passage:lang(ja), .passage:lang(ko) { font-style: normal; }
.commentary {
  font-family: -apple-system, "Segoe UI", "Helvetica Neue", "PingFang SC", "Hiragino Sans",
    "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", sans-serif;
  font-size: 0.9em;
}
:lang(zh), :lang(ja) { line-break: strict; word-break: normal; overflow-wrap: anywhere; }
:lang(ja) { font-family: "Hiragino Mincho ProN", "Yu Mincho", "Noto Serif CJK JP", serif; }
.commentary:lang(ja) { font-family: "Hiragino Sans", "Yu Gothic", "Noto Sans CJK JP", sans-serif; }
.source { margin-top: 1.5em; font-size: 0.65em; color: #8a8478; }
hr#answer { height: 0; border-top: 1px solid #e4dfd3; margin-top: 1.2em; margin-bottom: 1.2em; }
.nightMode.card, .night_mode .card, .nightMode .card { color: #e6e1d6; background-color: #1c1b19; }
.nightMode .passage, .night_mode .passage { border-left-color: #a8862a; }
.nightMode .source, .night_mode .source { color: #9a9488; }
.nightMode hr#answer, .night_mode hr#answer { border-top-color: #3a3833; }
"""


def genanki_model():
    """The note type as a genanki model, for writing packages."""
    import genanki

    return genanki.Model(
        MODEL_ID,
        MODEL_NAME,
        fields=[{"name": name} for name in FIELDS],
        templates=[{"name": TEMPLATE_NAME, "qfmt": QUESTION, "afmt": ANSWER}],
        css=CSS,
        sort_field_index=0,
    )
