"""Anki field HTML as drill's light Markdown (drill.markup), keeping what the HTML says:
paragraphs and line breaks, lists, tables, `<pre>` code with its indentation, bold, italic,
code, links with their URLs, images and sounds (as paths under the deck's `media/` folder),
superscripts and subscripts, and ruby (furigana). Other tags (spans, fonts, colours) give
their text. Cloze deletions stay as they are, nested ones included.

`markdown(to_html(text)) == text` for drill's own text, so `drill build` then `drill import`
gives back what was authored (tests/test_html.py holds it to that, on every bundled deck).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser

from drill.markup import ESCAPABLE, Token, parse_inline

_BLOCKS = {"p", "div", "li", "ul", "ol", "pre", "table", "tr", "h1", "h2", "h3", "h4", "h5"}
_BLOCKS |= {"h6", "blockquote", "hr", "section", "article", "header", "footer", "dl", "dt"}
_BLOCKS |= {"dd", "figure", "figcaption", "center", "tbody", "thead", "tfoot"}
_VOID = {"br", "img", "hr", "wbr", "input", "meta", "link", "source", "col"}


class Node:
    __slots__ = ("tag", "attrs", "children")

    def __init__(self, tag: str, attrs: dict[str, str] | None = None):
        self.tag = tag
        self.attrs = attrs or {}
        self.children: list[Node | str] = []


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html_text: str) -> Node:
    tree = _Tree()
    tree.feed(html_text)
    tree.close()
    return tree.root


# --------------------------------------------------------------------------- escaping

_RUBY_LIKE = re.compile(r"(?<!\{)\{([^{}|\n]+)\|([^{}|\n]+)\}(?!\})")
_SOUND = re.compile(r"\[sound:([^\]]+)\]")


def escape_text(text: str) -> str:
    """Plain text as drill Markdown that reads back as the same text: when some of it would
    read as markup, the characters that start markup get a backslash; otherwise (`2 * 3`,
    `volatile-*`) the text stays as it is."""
    if not any(ch in ESCAPABLE for ch in text):
        return text
    kept = re.sub(r"\\(?=[" + re.escape(ESCAPABLE) + "])", r"\\\\", text)
    if parse_inline(kept) == [Token("text", text)]:
        return kept
    text = text.replace("\\", "\\\\")
    text = re.sub(r"`", r"\\`", text)
    text = re.sub(r"\*(?=\S)|(?<=\S)\*", r"\\*", text)
    text = re.sub(r"\[(?=[^\]]*\]\()|!(?=\[)", lambda m: "\\" + m.group(0), text)
    text = re.sub(r"[\^_](?=\{)", lambda m: "\\" + m.group(0), text)
    text = _RUBY_LIKE.sub(lambda m: "\\{" + m.group(1) + "\\|" + m.group(2) + "\\}", text)
    return text


# --------------------------------------------------------------------------- converting


class _Writer:
    """Walks the tree into blocks of Markdown lines."""

    def __init__(self, media: Callable[[str], str] | None):
        self.media = media or (lambda name: name)
        self.blocks: list[str] = []  # finished blocks (paragraphs, lists, code, tables)
        self.line: list[str] = []  # the inline text being written
        self.lines: list[str] = []  # the lines of the current paragraph
        self.pending_break = False  # a paragraph break is due before the next text

    # -- paragraphs
    def text_so_far(self) -> str:
        return "".join(self.line)

    def end_line(self) -> None:
        text = "".join(self.line).strip()
        self.line = []
        if text:
            # A line of text that starts like a list item (`- GERD` typed in a field) stays
            # text: its mark is escaped.
            self.lines.append(_LIST_LIKE.sub(lambda m: m.group(1) + "\\" + m.group(2), text))

    def end_paragraph(self) -> None:
        self.end_line()
        if self.lines:
            self.blocks.append("\n".join(self.lines))
            self.lines = []

    def add_block(self, text: str) -> None:
        self.end_paragraph()
        if text.strip():
            self.blocks.append(text)

    # -- walking
    def walk(self, node: Node) -> None:
        for child in node.children:
            if isinstance(child, str):
                self.line.append(escape_text(re.sub(r"\s+", " ", child.replace("\xa0", " "))))
            else:
                self.element(child)

    def element(self, node: Node) -> None:
        tag = node.tag
        if tag in ("script", "style", "head", "title"):
            return
        if tag == "br":
            if not self.text_so_far().strip() and self.lines:
                self.end_paragraph()  # <br><br>: a paragraph break
            else:
                self.end_line()
            return
        if tag in ("ul", "ol"):
            self.add_block(self.list_block(node))
            return
        if tag == "pre":
            self.add_block(self.code_block(node))
            return
        if tag == "table":
            self.add_block(self.table_block(node))
            return
        if tag == "hr":
            self.end_paragraph()
            return
        if tag in ("p", "blockquote") or re.fullmatch(r"h[1-6]", tag):
            self.end_paragraph()
            if tag.startswith("h"):
                self.line.append("**" + inline(node, self.media) + "**")
            else:
                self.walk(node)
            self.end_paragraph()
            return
        if tag in _BLOCKS:  # div and friends: a line of its own (Anki's editor writes them)
            self.end_line()
            self.walk(node)
            self.end_line()
            return
        self.line.append(inline(node, self.media))

    # -- blocks
    def list_block(self, node: Node) -> str:
        numbered = node.tag == "ol"
        try:
            number = int(node.attrs.get("start", "1"))
        except ValueError:
            number = 1
        items = []
        for child in node.children:
            if isinstance(child, Node) and child.tag == "li":
                text = markdown_of(child, self.media).replace("\n\n", "\n")
                lead = f"{number}. " if numbered else "- "
                items.append(lead + text.replace("\n", "\n  "))
                number += 1
            elif isinstance(child, Node) and child.tag in ("ul", "ol"):
                items.append(self.list_block(child))
        return "\n".join(items)

    def code_block(self, node: Node) -> str:
        text = _raw_text(node).strip("\n")
        return "```\n" + text + "\n```" if text else ""

    def table_block(self, node: Node) -> str:
        rows: list[list[str]] = []
        for tr in _find(node, "tr"):
            cells = [c for c in tr.children if isinstance(c, Node) and c.tag in ("td", "th")]
            rows.append(
                [markdown_of(c, self.media).replace("\n", " ").replace("|", "\\|") for c in cells]
            )
        rows = [r for r in rows if r]
        if not rows:
            return ""
        width = max(len(r) for r in rows)
        rows = [r + [""] * (width - len(r)) for r in rows]
        lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * width]
        lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
        return "\n".join(lines)


def _find(node: Node, tag: str) -> list[Node]:
    found = []
    for child in node.children:
        if isinstance(child, Node):
            if child.tag == tag:
                found.append(child)
            else:
                found.extend(_find(child, tag))
    return found


def _raw_text(node: Node) -> str:
    parts = []
    for child in node.children:
        if isinstance(child, str):
            parts.append(child)
        elif child.tag == "br":
            parts.append("\n")
        elif child.tag in ("div", "p"):
            parts.append(_raw_text(child) + "\n")
        else:
            parts.append(_raw_text(child))
    return "".join(parts)


def _wrap(mark: str, inner: str) -> str:
    """`**word** ` for `<b>word </b>`: the spaces go outside the markers."""
    stripped = inner.strip()
    if not stripped:
        return inner
    lead = inner[: len(inner) - len(inner.lstrip())]
    tail = inner[len(inner.rstrip()) :]
    return f"{lead}{mark}{stripped}{mark}{tail}"


def inline(node: Node, media: Callable[[str], str]) -> str:
    """An element inside a line, as Markdown."""
    tag = node.tag
    inner = lambda: "".join(  # noqa: E731 - a short local helper
        escape_text(re.sub(r"\s+", " ", c.replace("\xa0", " ")))
        if isinstance(c, str)
        else inline(c, media)
        for c in node.children
    )
    if tag in ("b", "strong"):
        return _wrap("**", inner())
    if tag in ("i", "em"):
        return _wrap("*", inner())
    if tag in ("code", "kbd", "tt", "samp"):
        text = _raw_text(node)
        return f"`{text}`" if text and "`" not in text else escape_text(text)
    if tag == "a":
        href = node.attrs.get("href", "")
        label = inner()
        return f"[{label}]({href})" if href and label.strip() and " " not in href else label
    if tag == "img":
        src = node.attrs.get("src", "")
        alt = escape_text(node.attrs.get("alt", ""))
        return f"![{alt}]({media(src)})" if src else ""
    if tag in ("sup", "sub"):
        text = inner()
        mark = "^" if tag == "sup" else "_"
        return f"{mark}{{{text}}}" if text.strip() and "{" not in text else text
    if tag == "ruby":
        base = "".join(
            c if isinstance(c, str) else _raw_text(c)
            for c in node.children
            if isinstance(c, str) or c.tag not in ("rt", "rp")
        )
        rt = "".join(_raw_text(c) for c in node.children if isinstance(c, Node) and c.tag == "rt")
        return f"{{{base.strip()}|{rt.strip()}}}" if rt.strip() else base
    if tag == "br":
        return "\n"
    if tag in _BLOCKS:
        return " " + markdown_of(node, media).replace("\n", " ") + " "
    return inner()


def markdown_of(node: Node, media: Callable[[str], str] | None = None) -> str:
    writer = _Writer(media)
    writer.walk(node)
    writer.end_paragraph()
    text = "\n\n".join(writer.blocks)
    lines, in_code = [], False
    for line in text.split("\n"):
        if line.strip() == "```":
            in_code = not in_code
        # Outside code, spaces between words are one space, as HTML shows them.
        lines.append(line.rstrip() if in_code else _INNER_SPACES.sub(" ", line.rstrip()))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


_INNER_SPACES = re.compile(r"(?<=\S) {2,}")
_LIST_LIKE = re.compile(r"^((?:\d{1,9})?)((?<=\d)[.)]|(?<!\d)[-*])(?=\s)")


def html_to_markdown(value: str, media: Callable[[str], str] | None = None) -> str:
    """An Anki field as drill text. `media` turns a file name the field refers to (an image's
    src, a sound) into the path the deck file uses (`media/pic.png`)."""
    rename = media or (lambda name: name)
    value = _SOUND.sub(lambda m: f"[sound:{rename(m.group(1))}]", value)
    if "<" not in value and "&" not in value:
        return tidy(_escape_outside_sounds(value))
    return markdown_of(parse(value), rename)


def _escape_outside_sounds(text: str) -> str:
    parts = _SOUND.split(text)
    out = []
    for i, part in enumerate(parts):
        out.append(f"[sound:{part}]" if i % 2 else escape_text(part))
    return "".join(out)


def html_to_text(value: str) -> str:
    """The older name: Anki field HTML as drill text."""
    return html_to_markdown(value)


def tidy(text: str) -> str:
    text = text.replace("\xa0", " ").replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
