"""The JSON Schema of deck files, generated from the kind definitions (one source of truth).

The shipped copy, `drill/schema/deck.schema.json`, is regenerated with
`python -m drill.jsonschema > src/drill/schema/deck.schema.json`; a test keeps it in sync.
"""

from __future__ import annotations

import json
from typing import Any

from drill.content import DECK_KEYS
from drill.kinds import COMMON_FIELDS, DEFAULT_KIND, KINDS, Field
from drill.names import ID_MAX

SCHEMA_ID = "https://github.com/drill-cards/drill/schema/deck.schema.json"

_TEXT = {"type": ["string", "number", "boolean"]}
_TEXTS = {
    "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}, "minItems": 1}]
}
_TAGS = {
    "anyOf": [
        {"type": "string", "pattern": r"^\S+$"},
        {"type": "array", "items": {"type": "string", "pattern": r"^\S+$"}},
    ]
}


_AS_OF = {"type": "string", "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$", "examples": ["2026-03"]}


def _field_schema(field: Field) -> dict[str, Any]:
    if field.type == "texts":
        schema: dict[str, Any] = dict(_TEXTS)
    elif field.type == "tolerance":
        schema = {"type": ["string", "number"], "examples": ["25%", "10%"]}
    elif field.type == "quantity":
        schema = {"type": ["string", "number"], "examples": ["86,400 s", "3 TB", "1.2k QPS"]}
    else:
        schema = dict(_TEXT)
    schema["description"] = field.help
    return schema


def _common_properties() -> dict[str, Any]:
    return {
        "id": {
            "type": "string",
            "pattern": r"^[a-z0-9]+(?:[-_.][a-z0-9]+)*$",
            "maxLength": ID_MAX,
            "description": COMMON_FIELDS["id"],
        },
        "kind": {
            "enum": list(KINDS),
            "default": DEFAULT_KIND,
            "description": COMMON_FIELDS["kind"],
        },
        "tags": {**_TAGS, "description": COMMON_FIELDS["tags"]},
        "source": {**_TEXT, "description": COMMON_FIELDS["source"]},
        "suspended": {"type": "boolean", "description": COMMON_FIELDS["suspended"]},
        "as_of": _AS_OF | {"description": COMMON_FIELDS["as_of"]},
        "guid": {"type": "string", "minLength": 1, "description": COMMON_FIELDS["guid"]},
        "note": {**_TEXT, "description": COMMON_FIELDS["note"]},
        "notetype": {"type": "string", "minLength": 1, "description": COMMON_FIELDS["notetype"]},
        "extra": {
            "type": "object",
            "additionalProperties": _TEXT,
            "description": COMMON_FIELDS["extra"],
        },
    }


def _notetypes_schema() -> dict[str, Any]:
    from drill.content import NOTETYPE_KEYS

    text = {"type": "string"}
    template = {
        "type": "object",
        "required": ["name", "front", "back"],
        "additionalProperties": False,
        "properties": {"name": text, "front": text, "back": text},
    }
    return {
        "type": "array",
        "description": DECK_KEYS["anki_notetypes"],
        "items": {
            "type": "object",
            "required": ["name", "id", "fields", "templates"],
            "additionalProperties": False,
            "properties": {
                "name": text | {"description": NOTETYPE_KEYS["name"]},
                "id": {"type": "integer", "minimum": 1, "description": NOTETYPE_KEYS["id"]},
                "cloze": {"type": "boolean", "description": NOTETYPE_KEYS["cloze"]},
                "fields": {
                    "type": "array",
                    "items": text,
                    "minItems": 1,
                    "description": NOTETYPE_KEYS["fields"],
                },
                "map": {
                    "type": "object",
                    "additionalProperties": text,
                    "description": NOTETYPE_KEYS["map"],
                },
                "templates": {
                    "type": "array",
                    "items": template,
                    "minItems": 1,
                    "description": NOTETYPE_KEYS["templates"],
                },
                "css": text | {"description": NOTETYPE_KEYS["css"]},
                "media": {
                    "type": "array",
                    "items": {"type": "string", "minLength": 1},
                    "description": NOTETYPE_KEYS["media"],
                },
            },
        },
    }


def _options_schema() -> dict[str, Any]:
    from drill.options import FSRS_PARAMETER_BOUNDS, OPTIONS

    kinds: dict[str, dict[str, Any]] = {
        "int": {"type": "integer"},
        "hour": {"type": "integer"},
        "float": {"type": "number"},
        "bool": {"type": "boolean"},
        "minutes": {"type": "string"},
        "steps": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
        "floats": {
            "type": "array",
            "items": {"type": "number"},
            "minItems": len(FSRS_PARAMETER_BOUNDS),
            "maxItems": len(FSRS_PARAMETER_BOUNDS),
        },
    }
    properties = {}
    for option in OPTIONS.values():
        if option.global_only:
            continue
        schema: dict[str, Any] = dict(kinds.get(option.kind, {"enum": list(option.choices)}))
        schema["description"] = option.help
        properties[option.name] = schema
    return {
        "type": "object",
        "description": DECK_KEYS["options"],
        "properties": properties,
        "additionalProperties": False,
    }


def _problems_schema() -> dict[str, Any]:
    from drill.problems.model import (
        ANSWER_KEYS,
        DECISION_KEYS,
        NAME_RE,
        PARAM_KEYS,
        TEMPLATE_KEYS,
        THRESHOLD_KEYS,
    )

    quantity = {"type": ["string", "number"], "examples": ["100M", "500 B", "99%", "10 Gbps"]}
    names = {"pattern": NAME_RE.pattern}
    param = {
        "type": "object",
        "required": ["default"],
        "oneOf": [{"required": ["range"]}, {"required": ["choices"]}],
        "additionalProperties": False,
        "properties": {
            "default": {**quantity, "description": PARAM_KEYS["default"]},
            "range": {
                "type": "array",
                "items": quantity,
                "minItems": 2,
                "maxItems": 2,
                "description": PARAM_KEYS["range"],
            },
            "choices": {
                "type": "array",
                "items": quantity,
                "minItems": 1,
                "description": PARAM_KEYS["choices"],
            },
            "step": {**quantity, "description": PARAM_KEYS["step"]},
            "integer": {"type": "boolean", "description": PARAM_KEYS["integer"]},
            "unit": {"type": "string", "description": PARAM_KEYS["unit"]},
            "ask": {**_TEXT, "description": PARAM_KEYS["ask"]},
            "given": {"type": "boolean", "description": PARAM_KEYS["given"]},
            "reference": {
                "type": "array",
                "items": quantity,
                "minItems": 2,
                "maxItems": 2,
                "description": PARAM_KEYS["reference"],
            },
        },
    }
    threshold = {
        "type": "object",
        "required": ["at", "rule"],
        "additionalProperties": False,
        "properties": {
            "at": {**quantity, "description": THRESHOLD_KEYS["at"]},
            "rule": {**_TEXT, "description": THRESHOLD_KEYS["rule"]},
            "cite": {"type": "string", "description": THRESHOLD_KEYS["cite"]},
        },
    }
    decision = {
        "type": "object",
        "required": ["prompt", "by", "options", "thresholds"],
        "additionalProperties": False,
        "properties": {
            "prompt": {**_TEXT, "description": DECISION_KEYS["prompt"]},
            "by": {"type": ["string", "number"], "description": DECISION_KEYS["by"]},
            "options": {
                "type": "array",
                "items": {"type": "string"},
                "minItems": 2,
                "description": DECISION_KEYS["options"],
            },
            "thresholds": {
                "type": "array",
                "items": threshold,
                "minItems": 1,
                "description": DECISION_KEYS["thresholds"],
            },
            "margin": {
                "type": ["string", "number"],
                "examples": ["25%"],
                "description": DECISION_KEYS["margin"],
            },
            "unit": {"type": "string", "description": DECISION_KEYS["unit"]},
        },
    }
    answer = {
        "type": "object",
        "required": ["formula", "unit", "prompt"],
        "additionalProperties": False,
        "properties": {
            "formula": {"type": ["string", "number"], "description": ANSWER_KEYS["formula"]},
            "unit": {
                "type": "string",
                "examples": ["/s", "B", "B/s", "s", "", "count", "Gbps", "%"],
                "description": ANSWER_KEYS["unit"],
            },
            "prompt": {**_TEXT, "description": ANSWER_KEYS["prompt"]},
            "tolerance": {
                "type": ["string", "number"],
                "examples": ["25%", "10%"],
                "description": ANSWER_KEYS["tolerance"],
            },
        },
    }
    common = _common_properties()
    return {
        "type": "array",
        "minItems": 1,
        "description": DECK_KEYS["problems"],
        "items": {
            "type": "object",
            "required": ["id", "title", "params", "question", "answers"],
            "additionalProperties": False,
            "properties": {
                "id": {**common["id"], "description": TEMPLATE_KEYS["id"]},
                "title": {**_TEXT, "description": TEMPLATE_KEYS["title"]},
                "params": {
                    "type": "object",
                    "propertyNames": names,
                    "additionalProperties": param,
                    "description": TEMPLATE_KEYS["params"],
                },
                "question": {"type": "string", "description": TEMPLATE_KEYS["question"]},
                "values": {
                    "type": ["object", "null"],
                    "propertyNames": names,
                    "additionalProperties": {"type": ["string", "number"]},
                    "description": TEMPLATE_KEYS["values"],
                },
                "answers": {
                    "type": "object",
                    "minProperties": 1,
                    "propertyNames": names,
                    "additionalProperties": answer,
                    "description": TEMPLATE_KEYS["answers"],
                },
                "hints": {**_TEXTS, "description": TEMPLATE_KEYS["hints"]},
                "tags": {**_TAGS, "description": TEMPLATE_KEYS["tags"]},
                "source": {**_TEXT, "description": TEMPLATE_KEYS["source"]},
                "suspended": {"type": "boolean", "description": TEMPLATE_KEYS["suspended"]},
                "family": {
                    "type": "string",
                    "pattern": "^[a-z0-9][a-z0-9-]*$",
                    "description": TEMPLATE_KEYS["family"],
                },
                "scenario": {"type": "string", "description": TEMPLATE_KEYS["scenario"]},
                "constraints": {
                    "type": "array",
                    "items": {"type": "string"},
                    "minItems": 1,
                    "description": TEMPLATE_KEYS["constraints"],
                },
                "decision": {**decision, "description": TEMPLATE_KEYS["decision"]},
                "no_decision": {**_TEXT, "description": TEMPLATE_KEYS["no_decision"]},
                "time_budget": {
                    "type": "string",
                    "examples": ["3 min"],
                    "description": TEMPLATE_KEYS["time_budget"],
                },
            },
        },
    }


def deck_schema() -> dict[str, Any]:
    common = _common_properties()
    branches = []
    for kind in KINDS.values():
        condition: dict[str, Any] = {
            "properties": {"kind": {"const": kind.name}},
            "required": ["kind"],
        }
        if kind.name == DEFAULT_KIND:
            condition = {"anyOf": [condition, {"not": {"required": ["kind"]}}]}
        branches.append(
            {
                "if": condition,
                "then": {
                    "description": kind.help,
                    "properties": {**common, **{f.name: _field_schema(f) for f in kind.fields}},
                    "required": ["id"],
                    # An imported note (`notetype:`) may have empty fields, as Anki allows.
                    "anyOf": [
                        {"required": [f.name for f in kind.fields if f.required]},
                        {"required": ["notetype"]},
                    ],
                    "additionalProperties": False,
                },
            }
        )
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": SCHEMA_ID,
        "title": "drill deck",
        "description": "One deck of drill cards. See docs at the project README.",
        "type": "object",
        "required": ["deck"],
        "anyOf": [
            {"required": ["cards"]},
            {"required": ["problems"]},
            {"required": ["options"]},
            {"required": ["order"]},
        ],
        "additionalProperties": False,
        "properties": {
            "deck": {"type": "string", "minLength": 1, "description": DECK_KEYS["deck"]},
            "description": {"type": "string", "description": DECK_KEYS["description"]},
            "tags": {**_TAGS, "description": DECK_KEYS["tags"]},
            "source": {"type": "string", "description": DECK_KEYS["source"]},
            "as_of": _AS_OF | {"description": DECK_KEYS["as_of"]},
            "options": _options_schema(),
            "order": {
                "type": "integer",
                "minimum": 0,
                "maximum": 9999,
                "description": DECK_KEYS["order"],
            },
            "renamed": {
                "type": "object",
                "description": DECK_KEYS["renamed"],
                "additionalProperties": {"type": "string"},
            },
            "cards": {
                "type": "array",
                "minItems": 1,
                "description": DECK_KEYS["cards"],
                "items": {
                    "type": "object",
                    "required": ["id"],
                    "properties": common,
                    "allOf": branches,
                },
            },
            "problems": _problems_schema(),
            "anki_notetypes": _notetypes_schema(),
        },
    }


def render() -> str:
    return json.dumps(deck_schema(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    import sys

    sys.stdout.write(render())
