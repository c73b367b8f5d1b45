"""Anki field HTML as drill text."""

from __future__ import annotations

import re
from html.parser import HTMLParser


class _Text(HTMLParser):
    BLOCK = {"div", "p", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0

    def _newline(self) -> None:
        if self.out and not self.out[-1].endswith("\n"):
            self.out.append("\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        elif tag == "br":
            self.out.append("\n")
        elif tag in self.BLOCK:
            self._newline()
            if tag == "li":
                self.out.append("- ")
        elif tag in ("b", "strong"):
            self.out.append("**")
        elif tag == "code":
            self.out.append("`")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        elif tag in self.BLOCK:
            self._newline()
        elif tag in ("b", "strong"):
            self.out.append("**")
        elif tag == "code":
            self.out.append("`")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.out.append(data)


def html_to_text(value: str) -> str:
    """Anki field HTML as drill text: `<br>` and blocks become line breaks, `<b>` becomes
    `**bold**`, entities are unescaped, other tags (and images) are dropped; `{{c1::...}}`
    stays as it is."""
    if "<" not in value and "&" not in value:
        return tidy(value)
    parser = _Text()
    parser.feed(value)
    parser.close()
    text = "".join(parser.out).replace("****", "")
    text = re.sub(r"\*\*(\s*)\*\*", r"\1", text)
    return tidy(text)


def tidy(text: str) -> str:
    text = text.replace("\xa0", " ").replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
