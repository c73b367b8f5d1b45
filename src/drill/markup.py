"""drill's light Markdown: what deck text may say, parsed once, rendered as Anki HTML here and
as terminal text by the reviewer; drill.importers.html writes it back from Anki HTML.

Deck text is plain text: `<` and `&` mean themselves, so everything is escaped. The markup:

Blocks (separated by a blank line)
    a paragraph (a single line break inside it is a line break); ``- item`` bullet lists;
    ``1. item`` numbered lists; fenced code (a line of three backticks, then the code, kept
    exactly, then three backticks); a table (``| a | b |`` rows, the second row ``|---|---|``).
Inline
    ``**bold**``, ``*italic*``, `` `code` `` (nothing is read inside it), ``[text](url)``,
    ``![alt](media/file.png)`` an image, ``[sound:file.mp3]`` a sound (as in Anki),
    ``x^{2}`` superscript, ``H_{2}O`` subscript, ``{漢字|かんじ}`` ruby (furigana), and a
    backslash before any of ``\\ * ` [ ] { } ^ _ !`` for the character itself.

Cloze deletions (`{{c1::answer::hint}}`) pass through unchanged, so Anki still finds them.
Media paths (images and sounds) are given to the renderer's `media` mapping, which names the
file in the package (a deck's `media/lb.png` is `drill-1a2b3c4d-lb.png` in Anki).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Mapping
from typing import NamedTuple

# --------------------------------------------------------------------------- inline


class Token(NamedTuple):
    kind: str  # text, code, bold, italic, link, image, sound, sup, sub, ruby, br
    text: str = ""  # text; code; link text; image alt; sound file; ruby base
    arg: str = ""  # link url; image src; ruby text
    children: tuple[Token, ...] = ()  # bold, italic, sup, sub, link


ESCAPABLE = "\\*`[]{}^_!|-.)"  # `\-` and `1\.` keep a line that is text from being a list item
_ESCAPE = r"(?P<escape>\\[\\*`\[\]{}^_!|.)-])"
_CODE = r"(?P<code>`[^`\n]+`)"
_IMAGE = r"(?P<image>!\[(?P<alt>(?:\\.|[^\]\\\n])*)\]\((?P<src>[^()\s]+)\))"
_SOUND = r"(?P<sound>\[sound:(?P<file>[^\]\n]+)\])"
_INLINE = re.compile(
    _ESCAPE
    + "|"
    + _CODE
    + "|"
    + _IMAGE
    + "|"
    + _SOUND
    + r"|(?P<link>\[(?P<label>(?:\\.|[^\]\\\n])+)\]\((?P<url>[^()\s]+)\))"
    r"|(?P<bold>\*\*(?=\S)(?P<bold_text>.+?)(?<=\S)\*\*)"
    r"|(?P<italic>(?<![*\w])\*(?=[^\s*])(?P<italic_text>(?:\\.|[^*\n\\])+?)(?<=[^\s*\\])\*(?![*\w]))"
    r"|(?P<sup>\^\{(?P<sup_text>[^{}\n]+)\})"
    r"|(?P<sub>(?<=\S)_\{(?P<sub_text>[^{}\n]+)\})"
    r"|(?P<ruby>(?<!\{)\{(?P<base>[^{}|\n]+)\|(?P<rt>[^{}|\n]+)\}(?!\}))"
    r"|(?P<br>\n)",
    re.DOTALL,
)
_SPECIAL = re.compile(r"[\\*`\[\]{}^_!|\n]")


def parse_inline(text: str) -> list[Token]:
    """A run of text as tokens (adjacent text merged)."""
    if not _SPECIAL.search(text):
        return [Token("text", text)] if text else []
    out: list[Token] = []

    def add_text(value: str) -> None:
        if not value:
            return
        if out and out[-1].kind == "text":
            out[-1] = Token("text", out[-1].text + value)
        else:
            out.append(Token("text", value))

    pos = 0
    for m in _INLINE.finditer(text):
        add_text(text[pos : m.start()])
        pos = m.end()
        kind = next(k for k in _TOP if m.group(k) is not None)
        if kind == "escape":
            add_text(m.group(0)[1])
        elif kind == "code":
            out.append(Token("code", m.group(0)[1:-1]))
        elif kind == "image":
            out.append(Token("image", _unescape(m.group("alt")), m.group("src")))
        elif kind == "sound":
            out.append(Token("sound", m.group("file")))
        elif kind == "link":
            label = m.group("label")
            out.append(Token("link", label, m.group("url"), tuple(parse_inline(label))))
        elif kind == "bold":
            out.append(Token("bold", children=tuple(parse_inline(m.group("bold_text")))))
        elif kind == "italic":
            out.append(Token("italic", children=tuple(parse_inline(m.group("italic_text")))))
        elif kind in ("sup", "sub"):
            inner = m.group(f"{kind}_text")
            out.append(Token(kind, children=tuple(parse_inline(inner))))
        elif kind == "ruby":
            out.append(Token("ruby", _unescape(m.group("base")), _unescape(m.group("rt"))))
        else:
            out.append(Token("br"))
    add_text(text[pos:])
    return out


_TOP = ("escape", "code", "image", "sound", "link", "bold", "italic", "sup", "sub", "ruby", "br")


def _unescape(text: str) -> str:
    return re.sub(r"\\([\\*`\[\]{}^_!|.)-])", r"\1", text)


# --------------------------------------------------------------------------- blocks


class Block(NamedTuple):
    kind: str  # p, ul, ol, code, table
    lines: tuple[str, ...]  # p: its lines; ul/ol: items; code: the code's lines
    start: int = 1  # ol: the first number
    rows: tuple[tuple[str, ...], ...] = ()  # table: the header row, then the rows


_BULLET = re.compile(r"^\s*[-*]\s+(.*)$")
_NUMBER = re.compile(r"^\s*(\d{1,9})[.)]\s+(.*)$")
_FENCE = re.compile(r"^\s*```\s*$")
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_TABLE_RULE = re.compile(r"^\s*\|(\s*:?-{3,}:?\s*\|)+\s*$")


def _cells(line: str) -> tuple[str, ...]:
    inner = line.strip()[1:-1]
    cells, cell, escaped = [], "", False
    for ch in inner:
        if escaped:
            cell += "\\" + ch
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "|":
            cells.append(cell.strip())
            cell = ""
        else:
            cell += ch
    cells.append(cell.strip())
    return tuple(cells)


def parse_blocks(text: str) -> list[Block]:
    lines = text.strip("\n").split("\n")
    blocks: list[Block] = []
    i, blank = 0, True
    list_indent = 0  # where the current list's items start: deeper items nest in the last
    while i < len(lines):
        line = lines[i]
        if _FENCE.match(line):
            end = next((j for j in range(i + 1, len(lines)) if _FENCE.match(lines[j])), None)
            if end is not None:
                blocks.append(Block("code", tuple(lines[i + 1 : end])))
                i, blank = end + 1, False
                continue
        if _TABLE_ROW.match(line) and i + 1 < len(lines) and _TABLE_RULE.match(lines[i + 1]):
            rows = [_cells(line)]
            j = i + 2
            while j < len(lines) and _TABLE_ROW.match(lines[j]):
                rows.append(_cells(lines[j]))
                j += 1
            blocks.append(Block("table", (), rows=tuple(rows)))
            i, blank = j, False
            continue
        if not line.strip():
            blank = True
            i += 1
            continue
        bullet, number = _BULLET.match(line), _NUMBER.match(line)
        previous = blocks[-1] if blocks else None
        indent = len(line) - len(line.lstrip())
        if (bullet or number) and (
            previous and not blank and previous.kind in ("ul", "ol") and indent >= list_indent + 2
        ):
            items = list(previous.lines)
            items[-1] += "\n" + line[list_indent + 2 :]  # a nested item, kept as Markdown
            blocks[-1] = previous._replace(lines=tuple(items))
        elif bullet or number:
            kind = "ul" if bullet else "ol"
            content = bullet.group(1) if bullet else number.group(2)  # type: ignore[union-attr]
            if not (previous and not blank and previous.kind in ("ul", "ol")):
                list_indent = indent
            if previous and not blank and previous.kind == kind:
                blocks[-1] = previous._replace(lines=(*previous.lines, content))
            else:
                start = int(number.group(1)) if number else 1
                blocks.append(Block(kind, (content,), start))
        elif previous and not blank and previous.kind in ("ul", "ol"):
            # A line right under a list item, not itself an item: it continues the item.
            items = list(previous.lines)
            items[-1] += "\n" + line.strip()
            blocks[-1] = previous._replace(lines=tuple(items))
        elif previous and not blank and previous.kind == "p":
            blocks[-1] = previous._replace(lines=(*previous.lines, line.strip()))
        else:
            blocks.append(Block("p", (line.strip(),)))
        blank = False
        i += 1
    return blocks


# --------------------------------------------------------------------------- HTML


def escape(text: str) -> str:
    """Text as HTML that shows exactly that text (`a < b & c`, `<script>`)."""
    if "<" not in text and ">" not in text and "&" not in text:
        return text
    return html.escape(text, quote=False)


def _attr(text: str) -> str:
    return html.escape(text, quote=True)


def tokens_html(tokens: Iterable[Token], media: Callable[[str], str] | None = None) -> str:
    out = []
    for t in tokens:
        if t.kind == "text":
            out.append(escape(t.text))
        elif t.kind == "code":
            out.append(f"<code>{escape(t.text)}</code>")
        elif t.kind == "bold":
            out.append(f"<b>{tokens_html(t.children, media)}</b>")
        elif t.kind == "italic":
            out.append(f"<i>{tokens_html(t.children, media)}</i>")
        elif t.kind in ("sup", "sub"):
            out.append(f"<{t.kind}>{tokens_html(t.children, media)}</{t.kind}>")
        elif t.kind == "link":
            out.append(f'<a href="{_attr(t.arg)}">{tokens_html(t.children, media)}</a>')
        elif t.kind == "image":
            src = media(t.arg) if media else t.arg
            alt = f' alt="{_attr(t.text)}"' if t.text else ""
            out.append(f'<img src="{_attr(src)}"{alt}>')
        elif t.kind == "sound":
            out.append(f"[sound:{media(t.text) if media else t.text}]")
        elif t.kind == "ruby":
            out.append(f"<ruby>{escape(t.text)}<rt>{escape(t.arg)}</rt></ruby>")
        else:
            out.append("<br>")
    return "".join(out)


def inline(text: str, media: Callable[[str], str] | None = None) -> str:
    """One line (or run of lines) of text as inline HTML."""
    return tokens_html(parse_inline(text), media)


def bullets(items: Iterable[str], media: Callable[[str], str] | None = None) -> str:
    """A list of texts as an HTML bullet list."""
    return "<ul>" + "".join(f"<li>{_item(item, media)}</li>" for item in items) + "</ul>"


def _item(item: str, media: Callable[[str], str] | None) -> str:
    """A list item: its text, then the list nested in it, if any (`- a` under `- b`)."""
    if "\n" in item:
        lines = item.split("\n")
        for i, line in enumerate(lines[1:], 1):
            if (_BULLET.match(line) or _NUMBER.match(line)) and not line[:1].isspace():
                return inline("\n".join(lines[:i]), media) + _render("\n".join(lines[i:]), media)
    return inline(item, media)


_NOTHING_TO_DO = re.compile(r"[\n`*<>&\\\[\]{}^_!|]|^\s*(?:-|\d+[.)])\s")


def to_html(text: str, media: Mapping[str, str] | Callable[[str], str] | None = None) -> str:
    """A whole text field as Anki HTML. A text of one paragraph gives inline HTML (no
    wrapping element), so a one-line question stays one line; longer texts give `<p>`
    paragraphs, lists, `<pre>` code and tables. `media` names each image and sound file as
    the package holds it."""
    if not _NOTHING_TO_DO.search(text):
        return text.strip()  # most fields: one line, nothing to render or escape
    lookup = media.get if isinstance(media, Mapping) else media
    resolve: Callable[[str], str] | None = (
        (lambda path: lookup(path) or path) if lookup is not None else None
    )
    return _render(text, resolve)


def _render(text: str, media: Callable[[str], str] | None = None) -> str:
    blocks = parse_blocks(text)
    if not blocks:
        return ""
    if len(blocks) == 1 and blocks[0].kind == "p":
        return inline("\n".join(blocks[0].lines), media)
    out = []
    for b in blocks:
        if b.kind == "ul":
            out.append(bullets(b.lines, media))
        elif b.kind == "ol":
            start = f' start="{b.start}"' if b.start != 1 else ""
            items = "".join(f"<li>{_item(item, media)}</li>" for item in b.lines)
            out.append(f"<ol{start}>{items}</ol>")
        elif b.kind == "code":
            out.append(f"<pre><code>{escape(chr(10).join(b.lines))}</code></pre>")
        elif b.kind == "table":
            head, *rows = b.rows
            cells = "".join(f"<th>{inline(c, media)}</th>" for c in head)
            body = "".join(
                "<tr>" + "".join(f"<td>{inline(c, media)}</td>" for c in row) + "</tr>"
                for row in rows
            )
            out.append(f"<table><tr>{cells}</tr>{body}</table>")
        else:
            out.append("<p>" + inline("\n".join(b.lines), media) + "</p>")
    return "".join(out)


# --------------------------------------------------------------------------- media


def media_refs(text: str) -> list[tuple[str, str]]:
    """The media a text refers to: ("image" | "sound", path) in order."""
    if "[" not in text:
        return []
    found: list[tuple[str, str]] = []

    def walk(tokens: Iterable[Token]) -> None:
        for t in tokens:
            if t.kind == "image":
                found.append(("image", t.arg))
            elif t.kind == "sound":
                found.append(("sound", t.text))
            walk(t.children)

    for block in parse_blocks(text):
        for line in (*block.lines, *(c for row in block.rows for c in row)):
            if block.kind != "code":
                walk(parse_inline(line))
    return found


class MediaSpan(NamedTuple):
    """Where a text refers to an image or a sound: text[start:end] is the reference."""

    kind: str  # image, sound
    start: int
    end: int
    path: str  # as written
    alt: str = ""  # an image's alt text


_NESTED = {
    "bold": "bold_text",
    "italic": "italic_text",
    "sup": "sup_text",
    "sub": "sub_text",
    "link": "label",
}


def media_spans(text: str) -> list[MediaSpan]:
    """The image and sound references of a text with their places, in order: the references
    `media_refs` finds (none in code), for a renderer that puts something else where each
    one stands (the quiz draws the image there). Read line by line, as `media_refs` reads."""
    if "[" not in text:
        return []
    fenced = _fenced_ranges(text)
    found: list[MediaSpan] = []
    offset = 0
    for line in text.split("\n"):
        if not any(start <= offset < end for start, end in fenced):
            _inline_spans(line, offset, found)
        offset += len(line) + 1
    return found


def _inline_spans(text: str, offset: int, found: list[MediaSpan]) -> None:
    """As `parse_inline` reads the text: the same matches, into bold, links and the rest."""
    if not _SPECIAL.search(text):
        return
    for m in _INLINE.finditer(text):
        kind = next(k for k in _TOP if m.group(k) is not None)
        if kind == "image":
            alt = _unescape(m.group("alt"))
            found.append(MediaSpan(kind, offset + m.start(), offset + m.end(), m.group("src"), alt))
        elif kind == "sound":
            found.append(MediaSpan(kind, offset + m.start(), offset + m.end(), m.group("file")))
        elif kind in _NESTED:
            inner = _NESTED[kind]
            _inline_spans(m.group(inner), offset + m.start(inner), found)


def _fenced_ranges(text: str) -> list[tuple[int, int]]:
    """The character ranges of fenced code blocks (as `parse_blocks` finds them: a fence
    opens only where a closing fence follows)."""
    if "```" not in text:
        return []
    lines = text.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    ranges = []
    i = 0
    while i < len(lines):
        if _FENCE.match(lines[i]):
            end = next((j for j in range(i + 1, len(lines)) if _FENCE.match(lines[j])), None)
            if end is not None:
                ranges.append((starts[i], starts[end + 1]))
                i = end + 1
                continue
        i += 1
    return ranges


def plain(text: str) -> str:
    """The text as it reads, markup taken away (for comparing and for ids)."""

    def flat(tokens: Iterable[Token]) -> str:
        parts = []
        for t in tokens:
            if t.kind in ("text", "code", "sound") or t.kind == "image" or t.kind == "ruby":
                parts.append(t.text)
            elif t.kind == "br":
                parts.append("\n")
            else:
                parts.append(flat(t.children))
        return "".join(parts)

    return flat(parse_inline(text))
