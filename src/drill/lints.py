"""Content lints: rules for formulating knowledge (keep cards atomic, avoid sets, avoid
interference, never give the answer away, date and source what changes), turned into checks
over loaded notes.

Each rule is one pure function from the notes to warnings: `Problem`s with the rule's name,
shown as `path:line: warning: message [rule]`. Warnings are advice, never errors: `drill
check --lint` prints them and still exits 0. `number-no-as-of` is run by every `drill check`
(RULES_ALWAYS); the others on `--lint`.

The text rules compare words: lowercase, markup and punctuation dropped, a crude stemmer
(`collisions` = `collision`, `checked` = `check`), and function words left out, so a
question and an answer share a word only when they share a content word.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from functools import cache, lru_cache

from drill.kinds import KINDS, cloze_between, cloze_deletions, cloze_numbers
from drill.model import Note, Problem


def _words_of(text: str) -> frozenset[str]:
    """A set of words, written as one text."""
    return frozenset(text.split())


MAX_LIST = 3  # an answer may be a set of at most this many items
# Word overlap (Jaccard) of two questions that ask the same thing: below ten words, only
# the same words. Questions of one template (99.9% per day, per month) differ in the word
# that matters and stay below it.
DUPLICATE_SIMILARITY = 0.9
# A number card in a deck named so holds a measured (or priced) figure, which goes stale.
MEASURED_DECK_WORDS = ("latency", "latencies", "throughput", "cost", "costs", "price", "prices")

# Function words, and words every question uses, which two texts may share without one
# giving the other away.
STOPWORDS = _words_of(
    """
    a an the and or nor but if then else so than as of in on at to for from by with into onto
    about per via vs versus up down out off too very just only also is are was were be been
    being am it its this that these those there here their them they he she his her we our us
    i me my you your what which who whom whose why how when where do does did done doing can
    could should would will shall may might must yes each every any all some much many one
    ones other another same both either neither own such still yet while because since until
    between against within has have had having get gets got make makes made use uses used
    using e.g eg i.e ie etc s t way ways thing things something kind kinds
    """
)

_NUMBER_RE = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?[A-Za-z%]*")
_WORD_RE = re.compile(r"\d+(?:\.\d+)*[^\W_]*|[^\W\d_][^\W_]*")  # 0.3, 100k, p99
_THOUSANDS_RE = re.compile(r"(?<=\d),(?=\d{3}\b)")
_BULLET_RE = re.compile(r"^\s*-\s+(.*)$", re.MULTILINE)
_LABEL_RE = re.compile(r"^\s*[^\W\d_][\w /&()-]{0,40}:\s")  # "Key patterns: ..."
_PROMPT_VERBS = _words_of(
    """
    name list give state define explain describe estimate compute calculate convert complete
    compare contrast sketch draw order rank pick choose fill translate recall say write work
    """
)

Rule = Callable[[Sequence[Note]], list[Problem]]


# --------------------------------------------------------------------------- words


def _tokens(text: str) -> list[str]:
    text = _THOUSANDS_RE.sub("", text.casefold().replace("**", "").replace("`", ""))
    return _WORD_RE.findall(text)


def words(text: str) -> list[str]:
    """The words of a text, lowercased and stemmed, function words included, in order."""
    return [_stem(w) for w in _tokens(text)]


@lru_cache(maxsize=8192)  # a tradeoff's decision is the question of three cards
def content_words(text: str) -> frozenset[str]:
    """The words of a text that carry its content, stemmed: no function words."""
    return frozenset(_stem(w) for w in _tokens(text) if w not in STOPWORDS)


def distinctive_words(text: str) -> frozenset[str]:
    """Content words that can give an answer away: single letters (`N`, `R`) left out."""
    return frozenset(w for w in content_words(text) if len(w) > 1 or w.isdigit())


@cache
def _stem(word: str) -> str:
    """Crude suffix stripping, enough to match `writes`/`writing`, `caches`/`caching`."""
    if word[0].isdigit():
        return word
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            word = word[: -len(suffix)]
            break
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    return word


def _items(value: object) -> list[str]:
    """A field's items: a list field's items, a text's bullet lines, or the text itself."""
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    text = str(value)
    bullets = _BULLET_RE.findall(text)
    return bullets if bullets else [text]


def _bullet_count(value: object) -> int:
    if isinstance(value, (list, tuple)):
        return len(value)
    return len(_BULLET_RE.findall(str(value)))


def _warn(note: Note, rule: str, message: str) -> Problem:
    return Problem(note.location.path, note.location.line, message, rule)


def _card_id(note: Note, suffix: str) -> str:
    return f"{note.id}/{suffix}" if suffix else note.id


def _quoted(found: Iterable[str]) -> str:
    return ", ".join(f"'{w}'" for w in sorted(found))


class _Asked:
    """One card of a note, as the rules see it: what it shows and what it asks for."""

    __slots__ = ("answer", "question", "suffix")

    def __init__(self, suffix: str, question: str, answer: object):
        self.suffix = suffix
        self.question = question
        self.answer = answer  # text, or a tuple of items


def _asked(note: Note) -> list[_Asked]:
    """The cards a (non-cloze) note yields: the question field and the main answer field of
    each, from the kind table (without the labels every card of a kind shares)."""
    kind = KINDS[note.kind]
    out = []
    for spec in kind.cards:
        if spec.only_if and not note.fields.get(spec.only_if):
            continue
        out.append(_Asked(spec.suffix, note.fields[spec.prompt], note.fields[spec.answer[0][0]]))
    return out


class _Deletion:
    """One cloze card: the hidden texts of its number, and everything else the note shows."""

    __slots__ = ("front", "hidden", "number", "rest")

    def __init__(self, number: int, hidden: list[str], front: str, rest: str):
        self.number = number
        self.hidden = hidden
        self.front = front  # the card's question: its deletions blanked (hints shown)
        self.rest = rest  # the front and the `note` field: all the note shows besides them


def _deletions(note: Note) -> list[_Deletion]:
    text = note.fields[KINDS[note.kind].cloze]
    by_number: dict[int, list[str]] = defaultdict(list)
    fronts: dict[int, str] = {}
    for number, hidden, front in cloze_deletions(text):
        by_number[number].append(hidden)
        fronts[number] = front
    return [
        _Deletion(n, hidden, fronts[n], fronts[n] + "\n" + note.fields.get("note", ""))
        for n, hidden in sorted(by_number.items())
    ]


def _contains(haystack: list[str], needle: list[str]) -> bool:
    """Whether the word sequence `needle` occurs in `haystack`."""
    n = len(needle)
    return any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


def _visible_deletion(deletion: _Deletion) -> str | None:
    """A hidden text of the card that the note shows elsewhere, or None."""
    rest = words(deletion.rest)
    for hidden in deletion.hidden:
        needle = words(hidden)
        if needle and any(w not in STOPWORDS for w in needle) and _contains(rest, needle):
            return hidden
    return None


# --------------------------------------------------------------------------- the rules


def list_too_long(notes: Sequence[Note]) -> list[Problem]:
    """An answer that is an unordered set of more than MAX_LIST items: a list field (pros,
    cons, a prompt's challenges), `- ` bullet lines, a question asking for that many things
    (`What are the five ...?`), or a cloze that hides that many parts of one text, each
    answered by elimination from the others. A set is remembered item by item: ask for each
    in its own card. Sequences are not sets: numbered lines, a question that asks `in order`,
    and a cloze whose parts are steps (`→`, `then`, `1.`) may be longer."""
    out = []
    for note in notes:
        if note.kind == "cloze":
            count = len(cloze_numbers(note.fields["text"]))
            if count > MAX_LIST and not _steps(note.fields["text"]):
                out.append(
                    _warn(
                        note,
                        "list-too-long",
                        f"cloze '{note.id}' hides {count} parts of one set (at most "
                        f"{MAX_LIST}): ask for each part in a question of its own",
                    )
                )
            continue
        for asked in _asked(note):
            count = _bullet_count(asked.answer)
            if count <= MAX_LIST and note.kind in ("basic", "reverse"):
                count = _count_asked_for(asked.question)
            if count > MAX_LIST:
                out.append(
                    _warn(
                        note,
                        "list-too-long",
                        f"'{_card_id(note, asked.suffix)}' asks for a set of {count} items "
                        f"(at most {MAX_LIST}): split it, or ask for the few that matter",
                    )
                )
    return out


_NUMBER_NAMES = "zero one two three four five six seven eight nine ten eleven twelve"
_NUMBER_WORDS = {word: n for n, word in enumerate(_NUMBER_NAMES.split())}
_ASKS_FOR_RE = re.compile(
    r"\b(?:what|which|name|list|give)(?:\s+are)?(?:\s+(?:the|its|their|all))?\s+"
    r"(\d+|[a-z]+)\s+[a-z]",
    re.IGNORECASE,
)
_STEP_RE = re.compile(r"→|->|⇒|\bthen\b|\bnext\b|\bfinally\b|(?:^|\s)\d+[.)]\s", re.IGNORECASE)


def _count_asked_for(question: str) -> int:
    """How many things a question asks for (`Name the five ...` → 5), unless it asks for
    them in order; 0 when it does not say."""
    if re.search(r"\bin order\b", question, re.IGNORECASE):
        return 0
    counts = []
    for m in _ASKS_FOR_RE.finditer(question):
        word = m.group(1).casefold()
        counts.append(int(word) if word.isdigit() else _NUMBER_WORDS.get(word, 0))
    return max(counts, default=0)


def _steps(text: str) -> bool:
    """Whether a cloze's deletions are steps of a sequence: an order mark (`→`, `then`,
    `2.`) between two of them."""
    return any(_STEP_RE.search(part) for part in cloze_between(text))


def answer_in_question(notes: Sequence[Note]) -> list[Problem]:
    """An answer the question gives away: every content word of the answer (or of one of its
    items) is already in the question; for a number card, its number is in the question; for
    a cloze, every content word of a hidden text is shown on the card (hidden texts shown
    verbatim are `cloze-answer-visible`'s)."""
    out = []
    for note in notes:
        if note.kind == "cloze":
            for deletion in _deletions(note):
                if _visible_deletion(deletion) is not None:
                    continue  # reported by cloze_answer_visible
                shown = distinctive_words(deletion.front)
                for hidden in deletion.hidden:
                    given = distinctive_words(hidden)
                    if len(given) > 1 and given <= shown:
                        out.append(_given_away(note, f"c{deletion.number}", f"'{hidden}'", given))
            continue
        if note.kind == "number":
            written = _same_quantity(note.fields["front"], note.fields["answer"])
            if written is not None:
                out.append(
                    _warn(
                        note,
                        "answer-in-question",
                        f"'{note.id}' shows its answer in the question ('{written}')",
                    )
                )
            continue
        for asked in _asked(note):
            shown = distinctive_words(asked.question)
            for item in _items(asked.answer):
                given = distinctive_words(item)
                if given and given <= shown:
                    what = "its answer" if item == asked.answer else f"answer item '{item}'"
                    out.append(_given_away(note, asked.suffix, what, given))
    return out


def _given_away(note: Note, suffix: str, what: str, found: frozenset[str]) -> Problem:
    return _warn(
        note,
        "answer-in-question",
        f"'{_card_id(note, suffix)}' shows {what} in its question (words {_quoted(found)})",
    )


def _digits(text: str) -> str:
    """The first number written in a text, as written (`86,400 s` → `86400`)."""
    found = re.search(r"\d[\d,]*(?:\.\d+)?", text)
    return found.group(0).replace(",", "") if found else ""


def _same_quantity(text: str, answer: str) -> str | None:
    """A quantity written in `text` that is `answer`, written with the same number (`10
    million users` for 10 million), or None. Each number is read with up to two following
    words, the longest reading first, so `6 billion` is not the answer 6, `10 tokens` is not
    10 s; and a conversion (`10 Gbps` for 1.25 GB/s, `2^10` for 1,024) is a question."""
    from drill.quantity import QuantityError, parse

    wanted = parse(answer)
    for m in _NUMBER_RE.finditer(text):
        following = text[m.end() :].split(None, 2)[:2]
        readings = [" ".join([m.group(0), *following[:k]]) for k in (2, 1, 0)]
        for reading in readings:
            try:
                found = parse(reading.rstrip(",.;:?!)"))
            except QuantityError:
                continue
            same = found.same_dimension(wanted) and math.isclose(found.value, wanted.value)
            if same and _digits(m.group(0)) == _digits(answer):
                return reading
            break
    return None


def near_duplicate(notes: Sequence[Note]) -> list[Problem]:
    """Two notes that ask (nearly) the same question: the answers interfere, and where they
    differ the learner is taught two things for one cue. Questions are compared by their
    content words: the same words, or an overlap (Jaccard) of at least DUPLICATE_SIMILARITY.
    Reported once per pair of notes, at the later one, naming the earlier."""
    questions: list[tuple[Note, str, frozenset[str]]] = []
    for note in notes:
        for suffix, question in _questions(note):
            found = distinctive_words(question)
            if found:
                questions.append((note, suffix, found))
    # Prefix filtering: with the words of each question ranked rarest first, two questions
    # this similar share a word among the first few of each, so only those are indexed.
    frequency: dict[str, int] = defaultdict(int)
    for _, _, found in questions:
        for word in found:
            frequency[word] += 1
    index: dict[str, list[int]] = defaultdict(list)
    reported: set[tuple[str, str]] = set()
    out = []
    for position, (note, suffix, found) in enumerate(questions):
        ranked = sorted(found, key=lambda w: (frequency[w], w))
        prefix = ranked[: len(ranked) - math.ceil(DUPLICATE_SIMILARITY * len(ranked)) + 1]
        candidates = sorted({other for word in prefix for other in index[word]})
        for word in prefix:
            index[word].append(position)
        for other in candidates:
            first, first_suffix, first_words = questions[other]
            pair = (first.id, note.id)
            if first.id == note.id or pair in reported:
                continue
            overlap = len(found & first_words) / len(found | first_words)
            if overlap >= DUPLICATE_SIMILARITY:
                reported.add(pair)
                out.append(
                    _warn(
                        note,
                        "near-duplicate",
                        f"'{_card_id(note, suffix)}' asks what "
                        f"'{_card_id(first, first_suffix)}' asks (at {first.location}): "
                        "merge them, or make each question name what sets it apart",
                    )
                )
    return out


def _questions(note: Note) -> list[tuple[str, str]]:
    """(suffix, question) of each card of a note: the question field, or a cloze's text
    with the card's deletions left out."""
    if note.kind == "cloze":
        return [(f"c{d.number}", d.front) for d in _deletions(note)]
    return [(a.suffix, a.question) for a in _asked(note)]


def number_no_source(notes: Sequence[Note]) -> list[Problem]:
    """A number card with no `source` (its own or its file's): a figure nobody can check."""
    return [
        _warn(note, "number-no-source", f"number card '{note.id}' has no `source`")
        for note in notes
        if note.kind == "number" and not note.source
    ]


def cloze_answer_visible(notes: Sequence[Note]) -> list[Problem]:
    """A cloze deletion whose hidden text the same note shows elsewhere (in its text, another
    deletion, a hint or its `note`): the card answers itself."""
    out = []
    for note in notes:
        if note.kind != "cloze":
            continue
        for deletion in _deletions(note):
            hidden = _visible_deletion(deletion)
            if hidden is not None:
                out.append(
                    _warn(
                        note,
                        "cloze-answer-visible",
                        f"'{note.id}/c{deletion.number}' hides '{hidden}', which the note "
                        "shows elsewhere",
                    )
                )
    return out


def bare_question(notes: Sequence[Note]) -> list[Problem]:
    """A question that is not one: a basic or number front that neither asks (`?`) nor
    prompts (`Name two ...`, `Define ...`, a trailing `:` or `=`); or a reverse card whose
    answer carries the question (`Caching` → `Key patterns: ...`, a list), where the bare
    word does not say what to recall. A reverse card of a term and its definition is fine."""
    out = []
    for note in notes:
        if note.kind in ("basic", "number"):
            front = note.fields["front"].strip()
            if not _asks(front):
                out.append(
                    _warn(
                        note,
                        "bare-question",
                        f"'{note.id}' asks nothing: '{_short(front)}' is not a question; "
                        "say what is asked",
                    )
                )
        elif note.kind == "reverse":
            back = note.fields["back"]
            if not _asks(note.fields["front"]) and (
                _LABEL_RE.match(back) or _bullet_count(back) > 1
            ):
                out.append(
                    _warn(
                        note,
                        "bare-question",
                        f"'{note.id}' asks with a bare '{_short(note.fields['front'])}' and "
                        f"its answer says what is asked ('{_short(back)}'): make it a basic "
                        "card whose question asks that",
                    )
                )
    return out


def _asks(text: str) -> bool:
    """A question (`?`), a prompt (a clause starting `Name`, `Define`, ...) or a
    completion (ending in `:` or `=`)."""
    text = text.strip()
    if "?" in text or text.endswith((":", "=", "≈", "…", "...")):
        return True
    clauses = (c.split(None, 1) for c in re.split(r"[.,;:]\s", text))
    return any(c and c[0].casefold() in _PROMPT_VERBS for c in clauses)


def _short(text: str, length: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


def number_no_as_of(notes: Sequence[Note]) -> list[Problem]:
    """A measured figure with no date: a number card without a `formula` (a computed figure
    is as fresh as its inputs) in a measured table, a deck named for latencies, throughputs
    or costs (`Numbers::Latency`), with no `as_of` of its own or its file's. Hardware and
    prices change; the date says how far to trust the figure."""
    return [
        _warn(
            note,
            "number-no-as-of",
            f"number card '{note.id}' in {note.deck} is a measured figure with no `as_of` "
            "(when it was last checked)",
        )
        for note in notes
        if note.kind == "number"
        and "formula" not in note.fields
        and not note.as_of
        and _measured(note.deck)
    ]


def media_missing(notes: Sequence[Note]) -> list[Problem]:
    """An imported note refers to a file its Anki package did not have: the reference is
    kept (Anki shows the file if its collection has it), but drill cannot show it."""
    return [
        _warn(
            note,
            "media-missing",
            f"'{note.id}' refers to {written}, which is not beside the deck (its Anki package "
            "did not have it); drill build keeps the reference",
        )
        for note in notes
        for written, path in note.media
        if not path and "://" not in written
    ]


def _measured(deck: str) -> bool:
    """`Numbers::Latency`, `Numbers::Cost`, `Ops::Prices 2026`: the deck's own name (its
    last part) starts with a measured quantity."""
    first = re.findall(r"\w+", deck.rsplit("::", 1)[-1].casefold())[:1]
    return bool(first) and first[0] in MEASURED_DECK_WORDS


RULES: dict[str, Rule] = {
    "list-too-long": list_too_long,
    "answer-in-question": answer_in_question,
    "near-duplicate": near_duplicate,
    "number-no-source": number_no_source,
    "cloze-answer-visible": cloze_answer_visible,
    "bare-question": bare_question,
    "number-no-as-of": number_no_as_of,
    "media-missing": media_missing,
}
RULES_ALWAYS = ("number-no-as-of", "media-missing")  # run by every `drill check`, not only `--lint`


def lint(notes: Sequence[Note], rules: Iterable[str] = RULES) -> list[Problem]:
    """The warnings of the given rules (default: all), sorted by place."""
    return sorted(p for name in rules for p in RULES[name](notes))
