"""Light Markdown to HTML for the export: escaping first, then bold, code and lists."""

from __future__ import annotations

import random

from drill.markup import _render, to_html


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
