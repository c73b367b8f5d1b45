"""Reading YAML as nodes, so every value keeps the line it came from.

We compose (not load) documents with the safe C loader and read scalars as their source text:
`front: yes` stays the text "yes" instead of becoming True, and `answer: 86,400` stays a string
for the quantity parser. Only the safe loaders are ever used; no YAML tag can build objects.
"""

from __future__ import annotations

from typing import Any

import yaml

NULL_TAG = "tag:yaml.org,2002:null"
BOOL_TAG = "tag:yaml.org,2002:bool"
STR_TAG = "tag:yaml.org,2002:str"
# drill reads every scalar as its source text; only these plain scalars need their YAML 1.1
# tag (`suspended: yes`, an empty value).
_PLAIN_TAGS = {
    **dict.fromkeys(("", "~", "null", "Null", "NULL"), NULL_TAG),
    **dict.fromkeys(
        (
            *("yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE"),
            *("false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF"),
        ),
        BOOL_TAG,
    ),
}

# libyaml is much faster; fall back to the pure-Python loader where it is missing.
_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[valid-type,misc]
    """The safe loader, resolving a plain scalar's tag with one dictionary lookup instead of
    YAML's regular expressions for ints, floats and timestamps, which drill never uses (a
    third of a cold sync went there)."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            return _PLAIN_TAGS.get(value, STR_TAG) if implicit[0] else STR_TAG
        return super().resolve(kind, value, implicit)


class YamlError(Exception):
    def __init__(self, line: int, message: str):
        self.line = line
        self.message = message
        super().__init__(f"{line}: {message}")


def compose(text: str) -> yaml.Node | None:
    """Parse one YAML document into nodes; YamlError (with a 1-based line) when it is invalid."""
    try:
        return yaml.compose(text, Loader=_Loader)
    except yaml.composer.ComposerError as err:
        if "expected a single document" in str(err):
            line = err.problem_mark.line + 1 if err.problem_mark else 1
            raise YamlError(line, "one deck per file: found a second YAML document") from None
        raise _yaml_error(err) from None
    except yaml.YAMLError as err:
        error = _yaml_error(err)
        mark = getattr(err, "problem_mark", None)
        if mark is not None:
            lines = text.splitlines()
            source_line = lines[mark.line] if mark.line < len(lines) else ""
            if "\t" in source_line[: mark.column + 1]:
                error = YamlError(error.line, error.message + "; a tab: YAML indents with spaces")
        raise error from None


def _yaml_error(err: yaml.YAMLError) -> YamlError:
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    line = mark.line + 1 if mark is not None else 1
    problem = getattr(err, "problem", None) or str(err)
    context = getattr(err, "context", None)
    message = f"YAML syntax error: {problem}" + (f" ({context})" if context else "")
    return YamlError(line, message)


def line_of(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == NULL_TAG


class Entry:
    """One key of a mapping, with its nodes. A plain slotted class: a sync makes one per key
    of every card (60,000 for 10,000 cards), and a frozen dataclass or a NamedTuple costs
    several times more to build."""

    __slots__ = ("key", "key_node", "node")

    def __init__(self, key: str, key_node: yaml.Node, node: yaml.Node):
        self.key = key
        self.key_node = key_node
        self.node = node

    @property
    def line(self) -> int:
        return line_of(self.key_node)


def mapping_entries(node: yaml.MappingNode) -> tuple[list[Entry], list[YamlError]]:
    """The key/value pairs of a mapping, in order; duplicate or non-text keys are errors
    (PyYAML would silently keep the last duplicate, losing the author's first value)."""
    entries: list[Entry] = []
    errors: list[YamlError] = []
    seen: dict[str, int] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            errors.append(YamlError(line_of(key_node), "a key must be plain text"))
            continue
        key = key_node.value
        if key in seen:
            errors.append(
                YamlError(line_of(key_node), f"duplicate key '{key}' (first at line {seen[key]})")
            )
            continue
        seen[key] = line_of(key_node)
        entries.append(Entry(key, key_node, value_node))
    return entries, errors


def scalar_text(node: yaml.Node) -> str | None:
    """The source text of a scalar (None for an empty value); raises for lists/mappings."""
    if not isinstance(node, yaml.ScalarNode):
        shape = "a list" if isinstance(node, yaml.SequenceNode) else "a mapping"
        raise YamlError(line_of(node), f"expected text, found {shape}")
    if node.tag == NULL_TAG and node.style is None:
        return None
    return node.value


def describe(node: yaml.Node) -> str:
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if is_null(node):
        return "nothing"
    text = " ".join(str(node.value).split())
    return f"'{text[:40]}…'" if len(text) > 40 else f"'{text}'"  # not a whole file


def plain(node: yaml.Node) -> Any:
    """A scalar's source text, or a list of them (option and config values)."""
    if isinstance(node, yaml.SequenceNode):
        return [plain(item) for item in node.value]
    if isinstance(node, yaml.MappingNode):
        return {}
    return node.value
