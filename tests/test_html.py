"""Anki HTML to drill's light Markdown and back: what a field says survives both ways."""

from __future__ import annotations

import random

import pytest

from drill.content import load
from drill.importers.html import html_to_markdown
from drill.markup import media_refs, to_html
from drill.paths import bundled_decks_dir


def _media(name: str) -> str:
    return f"media/{name}"


@pytest.mark.parametrize(
    ("anki_html", "markdown"),
    [
        # Each mangling a real deck showed before.
        ("<b>word </b>next", "**word** next"),
        ("<ul><li>one</li><li>two</li></ul>", "- one\n- two"),
        ("<ol><li>one</li><li>two</li></ol>", "1. one\n2. two"),
        (
            "<table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table>",
            "| a | b |\n|---|---|\n| 1 | 2 |",
        ),
        ("x<sup>2</sup> and x² and H<sub>2</sub>O", "x^{2} and x² and H_{2}O"),
        ('<a href="https://example.org/x">the docs</a>', "[the docs](https://example.org/x)"),
        ("<pre>def f():\n    return 1</pre>", "```\ndef f():\n    return 1\n```"),
        ("<ruby>漢字<rt>かんじ</rt></ruby>", "{漢字|かんじ}"),
        ("<div>line one</div><div>line two</div>", "line one\nline two"),
        ("one<br><br>two", "one\n\ntwo"),
        ("<p>one</p><p>two</p>", "one\n\ntwo"),
        ('<img src="pic.png">', "![](media/pic.png)"),
        ('<img src="pic.png" alt="a diagram">', "![a diagram](media/pic.png)"),
        ("[sound:say.mp3] hola", "[sound:media/say.mp3] hola"),
        ("{{c1::outer {{c2::inner}} text}}", "{{c1::outer {{c2::inner}} text}}"),
        ("<i>it</i>, &lt;tag&gt; &amp; more", "*it*, <tag> & more"),
        ("5 * 3 = 15, volatile-*", "5 * 3 = 15, volatile-*"),
        ("a *not italic* b", "a \\*not italic\\* b"),
        ('<span style="color:red">red</span> <font color="blue">blue</font>', "red blue"),
    ],
)
def test_anki_html_becomes_what_it_says(anki_html, markdown):
    assert html_to_markdown(anki_html, _media) == markdown


def test_every_bundled_text_survives_a_round_trip():
    """drill text -> the HTML `drill build` writes -> the Markdown `drill import` reads."""
    collection = load([bundled_decks_dir()])
    checked = 0
    for note in collection.notes:
        for name, value in note.fields.items():
            if name in ("answer", "formula", "tolerance"):  # typed as text, not Markdown
                continue
            for text in value if isinstance(value, tuple) else (value,):
                assert html_to_markdown(to_html(text)) == text.strip(), (note.id, name)
                checked += 1
    assert checked > 3000


def test_random_markdown_survives_a_round_trip():
    pieces = [
        "word",
        "two words",
        "**bold**",
        "*italic*",
        "`code <x>`",
        "[a link](https://e.x/p?q=1)",
        "![alt](media/p.png)",
        "[sound:media/s.mp3]",
        "x^{2}",
        "H_{2}O",
        "{漢字|かんじ}",
        "a < b & c",
        "2 * 3",
        "{{c1::hidden}}",
        "{{c2::with::hint}}",
    ]
    rng = random.Random(14)
    for _ in range(500):
        paragraphs = []
        for _ in range(rng.randint(1, 3)):
            shape = rng.choice(("p", "ul", "ol", "code", "lines"))
            words = lambda: " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 4)))  # noqa: E731
            if shape == "p":
                paragraphs.append(words())
            elif shape == "lines":
                paragraphs.append(words() + "\n" + words())
            elif shape == "ul":
                paragraphs.append("\n".join(f"- {words()}" for _ in range(rng.randint(1, 3))))
            elif shape == "ol":
                paragraphs.append("\n".join(f"{i}. {words()}" for i in range(1, rng.randint(2, 4))))
            else:
                paragraphs.append("```\n  indented <b>\n    more\n```")
        text = "\n\n".join(paragraphs)
        assert html_to_markdown(to_html(text)) == text, text


def test_media_references_are_found_in_every_block():
    text = "See ![lb](media/lb.png)\n\n- [sound:media/a.mp3]\n\n| x |\n|---|\n| ![c](c.png) |"
    assert media_refs(text) == [
        ("image", "media/lb.png"),
        ("sound", "media/a.mp3"),
        ("image", "c.png"),
    ]
