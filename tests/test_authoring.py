"""Your own decks: drill init (starter deck, config edit), drill add (appends text, keeps every
byte), ids unique across bundled and user decks; all through the real CLI."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from drill import yamlnodes
from drill.authoring import card_yaml, scalar
from drill.config import add_deck_folder, load_config
from drill.content import load, read_deck_file
from drill.kinds import KINDS
from drill.model import ContentError
from drill.paths import bundled_decks_dir

USER_DECK = """\
# My deck: comments, odd spacing and quoting must survive drill add.
deck: Mine   # the name
cards:
    # first card
    -   id: what-is-x
        front: 'What is x?'     # quoted on purpose
        back: "x"

    # second card
    -   {id: flow-card, front: A flow card, back: still a block list}
# trailing comment
"""


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    """drill caches the parsed config file in the user cache folder: keep it in tmp_path."""
    (tmp_path / "cache").mkdir()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


@pytest.fixture
def env(tmp_path, monkeypatch):
    """A private config file and database; the bundled decks stay on unless a test says so."""
    monkeypatch.delenv("DRILL_DECKS", raising=False)
    monkeypatch.setenv("DRILL_CONFIG", str(tmp_path / "config" / "config.yaml"))
    monkeypatch.setenv("DRILL_DB", str(tmp_path / "drill.db"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(path: Path, text: str, **kwargs) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", **kwargs)
    return path


def no_bundled(env: Path) -> None:
    write(env / "config" / "config.yaml", "bundled: false\n")


# --------------------------------------------------------------------------- drill init


def test_init_end_to_end(cli, env):
    config = write(
        env / "config" / "config.yaml",
        "# my settings\noptions:\n  new_per_day: 10   # fewer\n",
    )
    before = config.read_text()
    result = cli("init", "notes", "--deck", "Spanish::Verbs")
    assert result.exit_code == 0, result.output
    deck = env / "notes" / "spanish-verbs.yaml"
    assert deck.is_file()
    out = result.stdout
    assert "drill check notes" in out
    assert "drill quiz --deck Spanish::Verbs" in out
    assert "drill build notes" in out

    # The config keeps what it had and gains the folder.
    text = config.read_text()
    assert text.startswith(before)
    assert [p.resolve() for p in load_config(config).decks] == [(env / "notes").resolve()]
    assert load_config(config).options["new_per_day"] == 10

    # The first line points editors at the installed schema.
    first = deck.read_text().splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=file://")
    schema = Path(first.split("$schema=file://", 1)[1])
    assert schema.is_file() and schema.name == "deck.schema.json"

    # drill check (bundled + the new folder) passes, and the starter cards are listed.
    checked = cli("check")
    assert checked.exit_code == 0, checked.output
    listed = cli("list", "--deck", "Spanish::Verbs")
    assert listed.exit_code == 0, listed.output
    ids = {line.split()[0] for line in listed.stdout.splitlines()}
    assert "spanish-verbs-capital-of-australia" in ids
    assert "spanish-verbs-prompt-chat/challenges" in ids

    # Every kind is shown, and every field of every kind appears in the file.
    notes = read_deck_file(deck).notes
    assert {n.kind for n in notes} == set(KINDS)
    body = deck.read_text()
    for kind in KINDS.values():
        for name in kind.field_names:
            assert f"{name}:" in body, name

    # A second init never overwrites, and leaves the config as it is.
    deck_bytes, config_bytes = deck.read_bytes(), config.read_bytes()
    again = cli("init", "notes", "--deck", "Spanish::Verbs")
    assert again.exit_code == 1
    assert "exists already" in again.stderr and "Traceback" not in again.output
    assert deck.read_bytes() == deck_bytes and config.read_bytes() == config_bytes

    # Another deck in the same folder: the config already has the folder.
    other = cli("init", "notes", "--deck", "French")
    assert other.exit_code == 0, other.output
    assert "already in" in other.stdout
    assert config.read_text().count("notes") == 1
    assert cli("check").exit_code == 0


def test_init_creates_the_config_file_and_picks_free_ids(cli, env):
    result = cli("init", "a")
    assert result.exit_code == 0, result.output
    assert (env / "config" / "config.yaml").is_file()
    # The same deck name in another folder gets other ids, so nothing clashes.
    assert cli("init", "b", "--deck", "A").exit_code == 0
    assert cli("check").exit_code == 0, cli("check").output
    ids = [n.id for n in load([env / "a", env / "b"]).notes]
    assert len(ids) == len(set(ids)) == 16


def test_init_refuses_a_broken_config_and_writes_nothing(cli, env):
    write(env / "config" / "config.yaml", "decks: [unclosed\n")
    result = cli("init", "notes")
    assert result.exit_code == 1
    assert "config.yaml:" in result.stderr
    assert not (env / "notes").exists()


# --------------------------------------------------------------------------- config edits


@pytest.mark.parametrize(
    "text",
    [
        "",
        "# only a comment",
        "# top\ndecks:   # mine\n  - ~/a   # first\nbundled: true  # keep\n",
        "decks:\n- /x\n",
        "decks: [~/a, ~/b]  # c\ndb: ~/d.db\n",
        "decks: []\n",
        "decks: ~/a # one\n",
        "decks:   # later\nbundled: false\n",
        "decks:\r\n  - /y\r\n",
        "bundled: true",
    ],
)
def test_adding_a_deck_folder_keeps_the_config_text(tmp_path, text):
    path = tmp_path / "config.yaml"
    path.write_bytes(text.encode())
    before = load_config(path).decks
    folder = tmp_path / "new folder, with [odd] #chars"
    assert add_deck_folder(folder, path) is True
    after = load_config(path)
    assert [p.resolve() for p in after.decks] == [p.resolve() for p in before] + [folder.resolve()]
    new = path.read_bytes().decode()
    for line in text.splitlines():
        if "decks" not in line and line.strip():
            assert line in new  # comments and other keys survive
    assert add_deck_folder(folder, path) is False  # already there: no change
    assert path.read_bytes().decode() == new


def test_a_config_edit_that_cannot_be_made_safely_changes_nothing(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("decks: ~\n")  # `~` here is the home folder, not "nothing"
    with pytest.raises(ContentError):
        add_deck_folder(tmp_path / "x", path)
    assert path.read_text() == "decks: ~\n"


# --------------------------------------------------------------------------- drill add


def test_add_keeps_every_byte_and_detects_indentation(cli, env):
    no_bundled(env)
    deck = write(env / "mine.yaml", USER_DECK)
    old = deck.read_bytes()
    result = cli(
        "add",
        deck,
        "--front",
        "What is x?",
        "--back",
        "Still x: #1",
        "--tag",
        "t1",
        "--tag",
        "t2",
        "--note",
        "line one\nline two",
        "--source",
        "me",
    )
    assert result.exit_code == 0, result.output
    new = deck.read_bytes()
    assert new.startswith(old)
    added = new[len(old) :].decode()
    # Same indentation as the file (dash at 4, keys at 8), separated by a blank line.
    assert added.startswith("\n    -   id: what-is-x-2\n        kind: basic\n")
    notes = {n.id: n for n in read_deck_file(deck).notes}
    card = notes["what-is-x-2"]
    assert card.fields == {
        "front": "What is x?",
        "back": "Still x: #1",
        "note": "line one\nline two",
    }
    assert card.tags == ("t1", "t2") and card.source == "me"
    assert "what-is-x-2" in result.stdout and "mine.yaml:" in result.stdout


def test_add_every_kind(cli, env):
    no_bundled(env)
    deck = write(env / "mine.yaml", USER_DECK)
    runs = [
        ["--kind", "reverse", "--front", "ping", "--back", "pong"],
        ["--kind", "cloze", "--text", "A {{c1::cloze}} with {{c2::two::hint}}"],
        [
            "--kind",
            "number",
            "--front",
            "Seconds in a day?",
            "--answer",
            "86,400 s",
            "--tolerance",
            "10%",
            "--formula",
            "day",
        ],
        [
            "--kind",
            "requirement",
            "--dimension",
            "Scale",
            "--question",
            "How many users?",
            "--why",
            "Sizing",
        ],
        [
            "--kind",
            "tradeoff",
            "--decision",
            "Use a cache",
            "--pro",
            "fast",
            "--pro",
            "cheap, mostly",
            "--con",
            "stale",
            "--accepted-because",
            "reads dominate",
        ],
        ["--kind", "pitfall", "--pitfall", "No numbers", "--fix", "Estimate", "--why", "guess"],
        [
            "--kind",
            "prompt",
            "--prompt",
            "Design a chat",
            "--challenge",
            "order",
            "--deep-dive",
            "storage",
            "--building-block",
            "queue",
        ],
    ]
    for args in runs:
        result = cli("add", deck, *args)
        assert result.exit_code == 0, result.output
    notes = read_deck_file(deck)
    assert not notes.problems
    assert {n.kind for n in notes.notes} == set(KINDS)
    tradeoff = next(n for n in notes.notes if n.kind == "tradeoff")
    assert tradeoff.fields["pros"] == ("fast", "cheap, mostly")
    assert tradeoff.id == "use-a-cache"
    assert next(n for n in notes.notes if n.kind == "requirement").id == "req-scale"


def test_add_before_a_key_that_follows_cards(cli, env):
    no_bundled(env)
    text = textwrap.dedent(
        """\
        deck: Mine
        cards:
          - id: one
            front: One
            back: 1
          # a comment about the last card

        # about options
        options:
          new_per_day: 5
        """
    )
    deck = write(env / "mine.yaml", text)
    result = cli("add", deck, "--front", "Two", "--back", "2")
    assert result.exit_code == 0, result.output
    new = deck.read_text()
    assert new == text.replace(
        "  # a comment about the last card\n",
        "  # a comment about the last card\n\n  - id: two\n    kind: basic\n    front: Two\n"
        "    back: 2\n",
    )
    assert [n.id for n in read_deck_file(deck).notes] == ["one", "two"]


def test_add_keeps_crlf_and_bom(cli, env):
    no_bundled(env)
    deck = env / "win.yaml"
    old = "\ufeffdeck: Win\r\ncards:\r\n  - id: a\r\n    front: A\r\n    back: B\r\n".encode()
    deck.write_bytes(old)
    result = cli("add", deck, "--front", "C", "--back", "D")
    assert result.exit_code == 0, result.output
    new = deck.read_bytes()
    assert new.startswith(old)
    assert b"\n" not in new[len(old) :].replace(b"\r\n", b"")
    assert [n.id for n in read_deck_file(deck).notes] == ["a", "c"]


@pytest.mark.parametrize(
    "text, args, message",
    [
        (
            "deck: D\ncards: [{id: a, front: A, back: B}]\n",
            ["--front", "F", "--back", "B"],
            "flow list",
        ),
        (
            "deck: D\ncards:\n  - id: a\n    front: A\n    back: B\n",
            ["--kind", "cloze", "--text", "no deletion here"],
            "needs at least one deletion",
        ),
        (
            "deck: D\ncards:\n  - id: a\n    front: A\n    back: B\n",
            ["--kind", "number", "--front", "F", "--answer", "lots"],
            "answer",
        ),
        (
            "deck: D\ncards:\n  - id: a\n    front: A\n    back: B\n",
            ["--front", "F", "--back", "B", "--id", "a"],
            "already used",
        ),
        (
            "deck: D\ncards:\n  - id: a\n    front: A\n    back: B\n",
            ["--front", "F", "--back", "B", "--id", "Not An Id"],
            "is not slug-like",
        ),
        (
            "deck: D\ncards:\n  - id: a\n    front: A\n    back: B\n",
            ["--front", "F", "--decision", "B"],
            "--kind tradeoff",
        ),
        (
            "deck: D\ncards:\n  - id: a\n    front: A\n    back: B\n",
            ["--kind", "nope", "--front", "F"],
            "unknown kind",
        ),
        (
            "deck: D\ncards:\n  - id: a\n    front: A\n    back: B\n    bogus: 1\n",
            ["--front", "F", "--back", "B"],
            "unknown key 'bogus'",
        ),
        ("- just a list\n", ["--front", "F", "--back", "B"], "not a deck file"),
        (
            "deck: D\ncards:\n  - id: a\n    front: 'unclosed\n",
            ["--front", "F", "--back", "B"],
            "YAML syntax error",
        ),
    ],
)
def test_add_refuses_bad_input_and_leaves_the_file_alone(cli, env, text, args, message):
    no_bundled(env)
    deck = write(env / "d.yaml", text)
    old = deck.read_bytes()
    result = cli("add", deck, *args, input="")
    assert result.exit_code in (1, 2), result.output
    assert message in result.stderr
    assert result.stderr.startswith(("d.yaml:", "drill: "))
    assert deck.read_bytes() == old
    assert [p.name for p in env.iterdir() if p.name.startswith(".d.yaml")] == []


def test_add_a_missing_file_is_a_clear_error(cli, env):
    no_bundled(env)
    result = cli("add", env / "none.yaml", "--front", "F", "--back", "B")
    assert result.exit_code != 0
    assert "no such file" in result.stderr and "drill init" in result.stderr


def test_add_asks_for_missing_fields_through_a_pipe(cli, env):
    no_bundled(env)
    deck = write(env / "mine.yaml", USER_DECK)
    answers = "tradeoff\nShard by user id\nEven load\n\nCross-user queries\nRebalancing\n\n"
    result = cli("add", deck, input=answers)
    assert result.exit_code == 0, result.output
    note = read_deck_file(deck).notes[-1]
    assert note.kind == "tradeoff" and note.id == "shard-by-user-id"
    assert note.fields["pros"] == ("Even load",)
    assert note.fields["cons"] == ("Cross-user queries", "Rebalancing")
    # With some fields given, only the missing ones are asked for.
    result = cli("add", deck, "--front", "Given front", input="Typed back\n")
    assert result.exit_code == 0, result.output
    assert read_deck_file(deck).notes[-1].fields["back"] == "Typed back"


def test_add_stops_cleanly_when_the_input_ends(cli, env):
    no_bundled(env)
    deck = write(env / "mine.yaml", USER_DECK)
    old = deck.read_bytes()
    result = cli("add", deck, "--front", "F", input="")
    assert result.exit_code == 2
    assert "--back" in result.stderr
    assert deck.read_bytes() == old


def test_add_makes_ids_unique_against_bundled_decks(cli, env):
    deck = write(env / "mine.yaml", USER_DECK)
    bundled = load([bundled_decks_dir()])
    taken = next(n for n in bundled.notes if n.kind == "basic")
    front = taken.id.replace("-", " ")  # slugs back to a bundled id
    result = cli("add", deck, "--front", front, "--back", "x")
    assert result.exit_code == 0, result.output
    new_id = read_deck_file(deck).notes[-1].id
    assert new_id == f"{taken.id}-2"
    # --id naming a bundled id is refused with the place it is used.
    result = cli("add", deck, "--front", "F", "--back", "B", "--id", taken.id)
    assert result.exit_code != 0
    assert str(taken.location.path) in result.stderr


# --------------------------------------------------------------------------- id clashes


def test_an_id_clash_with_a_bundled_deck_names_both_places(cli, env):
    bundled = load([bundled_decks_dir()])
    taken = bundled.notes[0]
    user = env / "notes"
    write(
        user / "clash.yaml",
        f"deck: Mine\ncards:\n  - id: {taken.id}\n    front: Mine\n    back: Mine\n",
    )
    write(env / "config" / "config.yaml", f"decks: [{user}]\n")
    checked = cli("check")
    assert checked.exit_code == 1
    line = next(x for x in checked.stdout.splitlines() if "duplicate id" in x)
    assert line.startswith(str(Path("notes") / "clash.yaml") + ":3:")
    assert f"'{taken.id}'" in line and str(taken.location) in line

    # Study commands skip the clashing file with one warning naming both places.
    quiz = cli("quiz", input="q\n")
    assert quiz.exit_code == 0
    assert "duplicate id" in quiz.stderr and str(taken.location) in quiz.stderr
    assert "clash.yaml:3" in quiz.stderr and "file skipped" in quiz.stderr
    assert "Traceback" not in quiz.output


def test_bundled_false_hides_the_bundled_decks(cli, env):
    user = env / "notes"
    write(user / "one.yaml", "deck: One\ncards:\n  - {id: one, front: A, back: B}\n")
    write(env / "config" / "config.yaml", f"bundled: false\ndecks: [{user}]\n")
    result = cli("check")
    assert result.exit_code == 0
    assert result.stdout.startswith("1 deck, 1 note, 1 card: ok")
    shown = cli("config", "show")
    assert "(bundled)" not in shown.stdout and "(config file)" in shown.stdout


# --------------------------------------------------------------------------- YAML text


TRICKY = [
    "plain",
    "yes",
    "null",
    "~",
    "12",
    "1e3",
    "- dash",
    "key: value",
    "a # b",
    "trailing:",
    "'quoted'",
    '"double"',
    "{{c1::x}}",
    "[list]",
    "&anchor",
    "*alias",
    "!tag",
    "%dir",
    "@at",
    "`tick`",
    "  leading",
    "trailing  ",
    "tab\there",
    "multi\nline",
    "\nleading newline",
    "  indented\nsecond",
    "ends with newline\n",
    "blank\n\nline",
    "ws line\n  \nx",
    "é ☃ 東京",
    "zero\u200bwidth",
    "line\u2028sep",
    "bom\ufeff",
    "nel\x85",
    "back\\slash",
    "a: b\nc: d",
    "---",
    "...",
    "? q",
    "=",
    "<b>html</b> & entities &amp;",
    "one final break\n",
    ".card {\n  color: black;\n}\n",
    "two final breaks\n\n",
    "\n",
]


@pytest.mark.parametrize("value", TRICKY)
def test_every_value_reads_back_as_written(value):
    text = "cards:\n" + card_yaml(
        {
            "id": "x",
            "front": value,
            "pros": [value],
            "tags": [value.replace(" ", "_")],
            "extra": {"Field name": value},
        },
        2,
        4,
    )
    node = yamlnodes.compose(text)
    card = node.value[0][1].value[0]
    values = {k.value: v for k, v in card.value}
    assert yamlnodes.scalar_text(values["front"]) == value
    assert {k.value: yamlnodes.scalar_text(v) for k, v in values["extra"].value} == {
        "Field name": value
    }
    assert [yamlnodes.scalar_text(v) for v in values["pros"].value] == [value]
    assert [yamlnodes.scalar_text(v) for v in values["tags"].value] == [value.replace(" ", "_")]
    # Other YAML readers (editors, yaml.safe_load) see text too, except where YAML 1.1 types
    # a plain scalar (12, yes), which drill reads as its source text anyway.
    loaded = yaml.safe_load(f"k: {scalar(value, 2)}\n")["k"]
    assert loaded == value or not isinstance(loaded, str)


PROBLEMS = """\
problems:
  - id: tiny
    title: Tiny
    params:
      n: {default: 10, range: [1, 100]}
    question: "{n} things a day."
    answers:
      per_sec: {formula: n / day, unit: /s, prompt: Per second?}
"""


def test_add_to_a_deck_with_only_problems_or_an_empty_cards_key(cli, env):
    no_bundled(env)
    only = write(env / "only.yaml", "deck: Problems\n# templates only\n" + PROBLEMS)
    old = only.read_bytes()
    result = cli("add", only, "--front", "F?", "--back", "B")
    assert result.exit_code == 0, result.output
    assert only.read_bytes().startswith(old)
    assert only.read_text().endswith(
        "\ncards:\n  - id: f\n    kind: basic\n    front: F?\n    back: B\n"
    )
    assert [n.id for n in read_deck_file(only).notes] == ["f"]

    empty = write(env / "empty.yaml", "deck: E\ncards:   # none yet\n" + PROBLEMS)
    result = cli("add", empty, "--front", "G?", "--back", "B")
    assert result.exit_code == 0, result.output
    assert empty.read_text() == (
        "deck: E\ncards:   # none yet\n  - id: g\n    kind: basic\n    front: G?\n"
        "    back: B\n" + PROBLEMS
    )
    assert cli("check", empty).exit_code == 0


def test_the_examples_in_docs_authoring_load(tmp_path):
    """Every YAML example in docs/authoring.md is a valid deck (list items are wrapped in a
    deck; fragments of one card are skipped; the media files an example names are made)."""
    import re

    from drill.markup import media_refs

    doc = (Path(__file__).resolve().parents[1] / "docs" / "authoring.md").read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", doc, re.DOTALL)
    checked = 0
    for number, block in enumerate(blocks):
        if block.startswith("  - id:"):
            text = "deck: Example\ncards:\n" + block
        elif block.startswith("problems:"):
            text = "deck: Example\n" + block
        elif "\ndeck:" in block or block.startswith("deck:"):
            text = block
        else:
            continue
        path = tmp_path / f"example-{number}.yaml"
        path.write_text(text)
        for _, written in media_refs(block.replace("\\n", "\n")):
            (tmp_path / written).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / written).write_bytes(b"")
        deck_file = read_deck_file(path)
        assert not deck_file.problems, (block, deck_file.problems)
        checked += 1
    assert checked >= 10


def test_add_warns_about_a_card_with_the_same_text(cli, env):
    no_bundled(env)
    deck = write(env / "mine.yaml", USER_DECK)
    result = cli("add", deck, "--front", "what is  X?", "--back", "again")
    assert result.exit_code == 0, result.output
    assert "note: 'what-is-x' at mine.yaml:5 has the same text; both are kept" in result.stderr
    assert "what is  X?" in deck.read_text()
    fresh = cli("add", deck, "--front", "Something new?", "--back", "yes")
    assert "same text" not in fresh.stderr


def test_the_starter_deck_is_the_kind_table_s_examples(tmp_path):
    """One example note per kind, made from the kind table: a new kind shows up by itself."""
    from drill.authoring import init_deck

    made = init_deck(tmp_path / "notes", "Starter", {})
    notes = read_deck_file(made.deck_file).notes
    assert [n.kind for n in notes] == list(KINDS)
    assert [n.id for n in notes] == [f"starter-{k.example.id}" for k in KINDS.values()]
    assert not read_deck_file(made.deck_file).problems
