"""Light Markdown to HTML, for the Anki export: the deck format's text, shown as authored.

Deck text is plain text: `<` and `&` mean themselves, so everything is escaped first. Then the
little Markdown the format allows is rendered:

- `**bold**` → `<b>bold</b>`, `` `code` `` → `<code>code</code>` (nothing is rendered inside code);
- lines starting with `- ` → a bullet list;
- a line break → `<br>`; a blank line starts a new paragraph.

Cloze deletions (`{{c1::answer::hint}}`) pass through unchanged: escaping leaves `{`, `}` and `:`
alone, so Anki still finds them.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

_CODE_RE = re.compile(r"(`[^`\n]+`)")
_BOLD_RE = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*", re.DOTALL)
_BULLET_RE = re.compile(r"^\s*-\s+(.*)$")
_MARKUP_CHARS = re.compile(r"[\n`*]")
_NOTHING_TO_DO = re.compile(r"[\n`*<>&]|^\s*-")


_SPECIAL = re.compile(r"[<>&]")


def escape(text: str) -> str:
    """Text as HTML that shows exactly that text (`a < b & c`, `<script>`)."""
    if not _SPECIAL.search(text):  # most text: nothing to escape, skip three replaces
        return text
    return html.escape(text, quote=False)


def inline(text: str) -> str:
    """One line (or run of lines) of text: escaped, with `**bold**` and `` `code` ``."""
    parts = []
    for part in _CODE_RE.split(text):
        if part.startswith("`") and part.endswith("`") and len(part) > 2:
            parts.append(f"<code>{escape(part[1:-1])}</code>")
        else:
            parts.append(_BOLD_RE.sub(r"<b>\1</b>", escape(part)))
    return "".join(parts).replace("\n", "<br>")


def bullets(items: Iterable[str]) -> str:
    """A list of texts as an HTML bullet list."""
    return "<ul>" + "".join(f"<li>{inline(item)}</li>" for item in items) + "</ul>"


def to_html(text: str) -> str:
    """A whole text field: paragraphs, line breaks and bullet lists.

    A text of one paragraph gives inline HTML (no wrapping element), so a one-line question
    stays one line; longer texts give `<p>` paragraphs and `<ul>` lists.
    """
    if not _NOTHING_TO_DO.search(text):
        return text.strip()  # most fields: one line, nothing to render or escape
    if not _MARKUP_CHARS.search(text) and not text.lstrip().startswith("-"):
        return escape(text.strip())
    return _render(text)


def _render(text: str) -> str:
    blocks: list[tuple[str, list[str]]] = []  # ("p" | "ul", lines)
    blank = True
    for line in text.strip("\n").split("\n"):
        bullet = _BULLET_RE.match(line)
        if not line.strip():
            blank = True
            continue
        kind = "ul" if bullet else "p"
        content = bullet.group(1) if bullet else line.strip()
        if blocks and not blank and blocks[-1][0] == kind:
            blocks[-1][1].append(content)
        elif blocks and not blank and kind == "p" and blocks[-1][0] == "ul":
            # A line right under a list item, not indented as an item: it continues the item.
            blocks[-1][1][-1] += "\n" + content
        else:
            blocks.append((kind, [content]))
        blank = False
    if not blocks:
        return ""
    if len(blocks) == 1 and blocks[0][0] == "p":
        return inline("\n".join(blocks[0][1]))
    out = []
    for kind, lines in blocks:
        if kind == "ul":
            out.append(bullets(lines))
        else:
            out.append("<p>" + inline("\n".join(lines)) + "</p>")
    return "".join(out)
