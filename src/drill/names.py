"""Names, written once: card ids and their checks, deck names, slugs, did-you-mean, plurals.

Pure functions over text; every module that makes or checks a name calls these, so `drill add`,
`drill import` and `drill check` agree on what an id is and what a text's id would be."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

ID_RE = re.compile(r"^[a-z0-9]+(?:[-_.][a-z0-9]+)*$")
ID_MAX = 80
TAG_RE = re.compile(r"^\S+$")


def plural(n: int, noun: str, plural_form: str | None = None) -> str:
    """`1 card`, `2 cards`, `0 cards`."""
    return f"{n} {noun if n == 1 else plural_form or noun + 's'}"


def did_you_mean(word: str, choices: Iterable[str], cutoff: float = 0.6) -> str:
    """` (did you mean 'x'?)` for the closest choice (case aside), or nothing."""
    import difflib  # only when there is a mistake to explain

    by_folded = {c.casefold(): c for c in choices}
    close = difflib.get_close_matches(word.casefold(), list(by_folded), n=1, cutoff=cutoff)
    return f" (did you mean '{by_folded[close[0]]}'?)" if close else ""


def slug(text: str, max_len: int = 48) -> str:
    """An id from text: ASCII letters and digits joined by '-', cut at a word boundary.
    Accents are folded first: `Über Cache` → `uber-cache`."""
    import unicodedata

    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", text.lower())
    out = ""
    for word in words:
        candidate = f"{out}-{word}" if out else word
        if len(candidate) > max_len:
            if not out:
                out = word[:max_len]
            break
        out = candidate
    return out


def file_slug(name: str) -> str:
    """A file name from a deck name: `Spanish::Verbs` → `spanish-verbs`; letters of any
    script stay (they are fine in file names, unlike in ids)."""
    out = re.sub(r"[^\w]+", "-", name.casefold()).strip("-_")[:80]
    import hashlib

    return out or "deck-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]


def id_problem(value: str) -> str | None:
    """Why `value` is not a valid id (with a suggestion), or None when it is one."""
    if ID_RE.match(value) and len(value) <= ID_MAX:
        return None
    suggestion = slug(value, ID_MAX)
    hint = f" (try '{suggestion}')" if suggestion and suggestion != value else ""
    return (
        f"id '{value}' is not slug-like: use lowercase letters, digits, and '-', '_' or '.' "
        f"between them, at most {ID_MAX} characters{hint}"
    )


SUFFIX_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def card_id_problem(value: str) -> str | None:
    """Why `value` is neither a note id nor a card id (`note-id/suffix`), or None."""
    note_id, slash, suffix = value.partition("/")
    if slash and not SUFFIX_RE.match(suffix):
        return f"'{value}': the card suffix after '/' must be like c1, why or deep-dives"
    return id_problem(note_id)


def deck_name_problem(name: str) -> str | None:
    """Why `name` is not a deck name, or None."""
    if not name.strip():
        return "a deck name cannot be empty"
    if any(not part.strip() for part in name.split("::")):
        return f"deck name '{name}' has an empty part (no part between '::' may be empty)"
    return None


def clean_deck_name(name: str) -> str:
    """`A :: B` → `A::B` (each part stripped)."""
    return "::".join(part.strip() for part in name.split("::"))


def unique_id(base: str, taken: Iterable[str] | Mapping[str, Any]) -> str:
    """`base`, or `base-2`, `base-3`, ... whichever is not taken (kept within ID_MAX)."""
    taken = taken if isinstance(taken, (set, dict, frozenset)) else set(taken)
    base = base[:ID_MAX].strip("-_.") or "card"
    if base not in taken:
        return base
    n = 2
    while True:
        suffix = f"-{n}"
        candidate = base[: ID_MAX - len(suffix)].rstrip("-_.") + suffix
        if candidate not in taken:
            return candidate
        n += 1
