"""Light Markdown to HTML for the export: escaping first, then bold, code and lists."""

from __future__ import annotations

import random

from drill.markup import MediaSpan, _render, media_refs, media_spans, to_html


def test_plain_text_shortcut_renders_like_the_full_path():
    rng = random.Random(3)
    alphabet = "ab <>&\"'{}:/-_.,;!?0123456789 éü日本"
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        assert to_html(text) == _render(text), text


def test_markup_is_rendered_and_html_escaped():
    assert to_html("a < b & c") == "a &lt; b &amp; c"
    assert to_html("<script>x</script>") == "&lt;script&gt;x&lt;/script&gt;"
    assert to_html("**bold** and `a<b`") == "<b>bold</b> and <code>a&lt;b</code>"
    assert to_html("- one\n- two") == "<ul><li>one</li><li>two</li></ul>"
    assert to_html("{{c1::125 MB/s}} & more") == "{{c1::125 MB/s}} &amp; more"


def test_media_spans_say_where_each_reference_stands():
    text = "Which? ![a \\] box](media/a.png) **or [sound:b.mp3]**\n```\n![x](code.png)\n```"
    spans = media_spans(text)
    assert spans == [
        MediaSpan("image", 7, 31, "media/a.png", "a ] box"),
        MediaSpan("sound", 37, 50, "b.mp3"),
    ]
    assert [text[s.start : s.end] for s in spans] == [
        "![a \\] box](media/a.png)",
        "[sound:b.mp3]",
    ]
    assert media_spans("`![x](y.png)` and \\![x](y.png)") == []  # code, and an escape


def test_media_spans_find_what_media_refs_finds():
    """The quiz draws where media_spans points and `drill check` checks what media_refs
    finds: the two must agree, whatever the markup around the references."""
    rng = random.Random(7)
    parts = ["![a](m/x.png)", "[sound:m/s.mp3]", "`", "```", "\n", "\n\n", "**", "*", "\\"]
    parts += ["![", "](", "text ", "- ", "1. ", "| a | b |", "|---|---|", "[l](u)", "_{", "^{", "}"]
    for _ in range(5000):
        text = "".join(rng.choice(parts) for _ in range(rng.randint(0, 14)))
        spans = media_spans(text)
        assert [(s.kind, s.path) for s in spans] == media_refs(text), text
        assert all(text[s.start : s.end].startswith(("![", "[sound:")) for s in spans), text
