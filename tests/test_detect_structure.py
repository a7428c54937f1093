"""Detection looks at structure, not at whether a tag or a line of code occurs: prose that quotes HTML or code is
highlights (a programming reader's pairs), a document made of markup (a web page, XML, an SVG) is refused as
markup, and source code (Python, Lua, ...) is refused as what it is, never turned into dozens of junk cards."""

from __future__ import annotations

import inspect

import pytest

from flashcards.errors import FlashcardsError
from flashcards.importers import FORMATS, detect_format, import_file, pairs
from flashcards.importers.shape import markup_document, source_code

PROSE_WITH_TAGS = """<script>alert('x')</script> is a tag, and a < b > c holds
Escaping matters: the browser runs what it parses, not what you meant.

x <- f(g)
R's assignment arrow: the value of f(g) goes into x.
"""


def test_prose_that_quotes_html_and_r_code_is_pairs(tmp_path, cli):
    path = tmp_path / "reading.txt"
    path.write_text(PROSE_WITH_TAGS, encoding="utf-8")
    result = import_file(path, "reading.txt")
    assert result.format == "pairs"
    assert [(h.front, h.back) for h in result.highlights] == [
        ("<script>alert('x')</script> is a tag, and a < b > c holds",
         "Escaping matters: the browser runs what it parses, not what you meant."),
        ("x <- f(g)", "R's assignment arrow: the value of f(g) goes into x."),
    ]
    run = cli("convert", str(path), "-o", str(tmp_path / "deck.yaml"))
    assert run.code == 0, run.stderr
    assert "pairs, 2 cards added" in run.stdout


@pytest.mark.parametrize("text", [
    "<b>Bold</b> was how we marked emphasis once\nNow <strong> says what it means.\n",
    "<div> opens a block and </div> closes it\nBlocks stack vertically.\n",
    "<p>\nThe paragraph tag, alone on a line, is the passage.\n",
    "Some prose about <html> and <body>.\nAnd its commentary about <div class='x'>.\n",
])
def test_prose_starting_with_or_holding_tags_is_not_markup(text):
    assert not markup_document(text)
    assert pairs.detect(text) > 0


@pytest.mark.parametrize("text", [
    '<?xml version="1.0"?>\n<rss><channel><title>x</title></channel></rss>\n',
    "<!DOCTYPE html><html><body><p>One page</p></body></html>",
    "<html>\n<body>\n<div class='content'>Hello</div>\n</body>\n</html>\n",
    '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">\n  <rect width="10" height="10"/>\n'
    '  <text x="1" y="9">Label with words in it</text>\n</svg>\n',
    '<svg xmlns="http://www.w3.org/2000/svg"><circle r="4"/></svg>',
    "<div class='note'>A saved fragment of a page</div>",
    "<!-- saved by a browser -->\n<html><head><title>t</title></head>\n<body>\nsome words\n</body></html>\n",
    "<feed>\n<entry>\n<title>One</title>\n</entry>\n<entry>\n<title>Two</title>\n</entry>\n</feed>\n",
])
def test_documents_made_of_markup_are_markup(text):
    assert markup_document(text)
    assert pairs.detect(text) == 0


def test_an_svg_is_refused_as_markup(tmp_path, cli):
    path = tmp_path / "drawing.svg"
    path.write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">\n  <path d="M0 0L10 10"/>\n'
                    '  <text>A caption</text>\n</svg>\n', encoding="utf-8")
    run = cli("convert", str(path), "-o", str(tmp_path / "deck.yaml"))
    assert run.code != 0 and len(run.stderr.strip().splitlines()) == 1
    assert "drawing.svg: an XML/markup file; " in run.stderr
    assert not (tmp_path / "deck.yaml").exists()


PYTHON = inspect.getsource(pairs)
LUA_PROGRAM = """-- a KOReader plugin
local WidgetContainer = require("ui/widget/container/widgetcontainer")
local _ = require("gettext")

local Hello = WidgetContainer:extend{
    name = "hello",
    is_doc_only = false,
}

function Hello:init()
    self.ui.menu:registerToMainMenu(self)
end

function Hello:addToMainMenu(menu_items)
    menu_items.hello_world = {
        text = _("Hello World"),
        callback = function()
            if self.ui.document then
                print("a book is open")
            end
        end,
    }
end

return Hello
"""
LUA_DATA = """-- a game's saved settings
return {
    ["volume"] = 0.8,
    ["player"] = "Ada",
    ["levels"] = {
        [1] = "forest",
        [2] = "cave",
    },
}
"""


@pytest.mark.parametrize(("name", "text", "what"), [
    ("pairs.py", PYTHON, "pairs.py: Python source code, not highlights; "),
    ("hello.lua", LUA_PROGRAM, "hello.lua: a Lua file (code or data) that is not KOReader's book metadata; "),
    ("settings.lua", LUA_DATA, "settings.lua: a Lua file (code or data) that is not KOReader's book metadata; "),
    ("run.sh", "#!/bin/sh\nset -e\ncd /tmp\necho hello\n", "run.sh: shell source code, not highlights; "),
])
def test_source_code_is_refused_with_one_line_saying_what_it_is(tmp_path, cli, name, text, what):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FlashcardsError) as error:
        import_file(path, name)
    assert str(error.value).startswith(what), str(error.value)
    assert "\n" not in str(error.value) and "(formats read: " in str(error.value)
    run = cli("convert", str(path), "-o", str(tmp_path / "deck.yaml"))
    assert run.code != 0 and len(run.stderr.strip().splitlines()) == 1 and what in run.stderr
    assert not (tmp_path / "deck.yaml").exists()


def test_every_importer_module_of_ours_is_code_and_no_format_takes_it():
    for module in FORMATS.values():
        text = inspect.getsource(module)
        assert source_code(text) == "Python", module.NAME
        with pytest.raises(FlashcardsError, match="Python source code"):
            detect_format(text, f"{module.NAME}.py")


@pytest.mark.parametrize("text", [
    PROSE_WITH_TAGS,
    "degree.cent <- centr_degree(g, mode = \"all\")\nThe centrality of each node, counted over all edges.\n",
    "E = mc² is the best-known equation\nMass and energy are one thing.\n",
    "for x in range(3): is how a Python loop starts\nA colon ends the header.\n",
])
def test_prose_quoting_a_line_of_code_is_not_code(text):
    assert source_code(text) is None
    assert detect_format(text, "notes.txt").NAME == "pairs"
