"""Anki collections and packages made in the tests by Anki itself (the `anki` package): every
stock note type, a custom one, media, several decks, scheduling, in the current and the
legacy package formats. Also: reading a collection back for comparisons."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MEDIA = Path(__file__).parent / "fixtures" / "media"


@dataclass
class Made:
    collection: Path  # the collection the packages came from (closed)
    current: Path  # .apkg as current Anki writes it (collection.anki21b)
    legacy: Path  # .apkg in the legacy format (collection.anki21)
    guids: dict[str, str] = field(default_factory=dict)  # a name for each note -> its GUID
    notes: int = 0
    media: set[str] = field(default_factory=set)


def _add(col: Any, model: str, deck: str, fields: dict[str, str], tags: list[str] = ()) -> Any:
    note = col.new_note(col.models.by_name(model))
    for key, value in fields.items():
        note[key] = value
    note.tags = list(tags)
    col.add_note(note, col.decks.id(deck))
    return note


def _custom_notetype(col: Any) -> None:
    """A vocabulary note type with four fields and two templates, as people make them."""
    models = col.models
    notetype = models.new("Vocab (picture)")
    for name in ("Word", "Meaning", "Example sentence", "Picture"):
        models.add_field(notetype, models.new_field(name))
    forward = models.new_template("Recognise")
    forward["qfmt"] = "{{Word}}<br>{{Picture}}"
    forward["afmt"] = "{{FrontSide}}<hr id=answer>{{Meaning}}<br><i>{{Example sentence}}</i>"
    backward = models.new_template("Recall")
    backward["qfmt"] = "{{#Meaning}}{{Meaning}}{{/Meaning}}"
    backward["afmt"] = "{{FrontSide}}<hr id=answer>{{Word}}"
    models.add_template(notetype, forward)
    models.add_template(notetype, backward)
    notetype["css"] = ".card { font-family: serif; }\n"
    models.add(notetype)


def make_packages(folder: Path) -> Made:
    from anki.collection import Collection, ExportAnkiPackageOptions

    path = folder / "collection.anki2"
    col = Collection(str(path))
    made = Made(path, folder / "current.apkg", folder / "legacy.apkg")
    try:
        prefs = col.get_preferences()
        import datetime

        prefs.scheduling.rollover = (datetime.datetime.now().hour + 12) % 24
        col.set_preferences(prefs)
        red = col.media.add_file(str(MEDIA / "red.png"))
        blue = col.media.add_file(str(MEDIA / "blue.png"))
        beep = col.media.add_file(str(MEDIA / "beep.wav"))
        made.media = {red, blue, beep}
        _custom_notetype(col)
        notes = {
            "basic": _add(
                col,
                "Basic",
                "Lang::Spanish",
                {"Front": "<b>hola </b>mundo", "Back": f"hello world [sound:{beep}]"},
                ["greeting"],
            ),
            "image-only": _add(
                col, "Basic", "Lang::Spanish", {"Front": f'<img src="{red}">', "Back": "rojo"}
            ),
            "empty-back": _add(
                col, "Basic", "Lang::Spanish", {"Front": "sin respuesta", "Back": ""}
            ),
            "reversed": _add(
                col, "Basic (and reversed card)", "Lang::French", {"Front": "chat", "Back": "cat"}
            ),
            "optional-off": _add(
                col,
                "Basic (optional reversed card)",
                "Lang::French",
                {"Front": "chien", "Back": "dog", "Add Reverse": ""},
            ),
            "optional-on": _add(
                col,
                "Basic (optional reversed card)",
                "Lang::French",
                {"Front": "oiseau", "Back": "bird", "Add Reverse": "y"},
            ),
            "type-in": _add(
                col,
                "Basic (type in the answer)",
                "Geo",
                {"Front": "Capital of France?", "Back": "Paris"},
            ),
            "cloze": _add(
                col,
                "Cloze",
                "Geo",
                {
                    "Text": "{{c1::Canberra}} is the capital of {{c2::Australia}}",
                    "Back Extra": "not Sydney",
                },
                ["capitals"],
            ),
            "nested": _add(
                col,
                "Cloze",
                "Geo",
                {"Text": "{{c1::outer {{c2::inner}} text}} and x<sup>2</sup>", "Back Extra": ""},
            ),
            "custom": _add(
                col,
                "Vocab (picture)",
                "Lang::Spanish",
                {
                    "Word": "azul",
                    "Meaning": "blue",
                    "Example sentence": "El cielo es <i>azul</i>.",
                    "Picture": f'<img src="{blue}">',
                },
            ),
        }
        occlusion_type = next(
            m.id for m in col.models.all_names_and_ids() if m.name == "Image Occlusion"
        )
        image = col.media.dir() + "/" + red
        occlusion = col.add_image_occlusion_note(
            notetype_id=occlusion_type,
            image_path=image,
            occlusions="{{c1::image-occlusion:rect:left=.1:top=.1:width=.3:height=.2:oi=1}}"
            "{{c2::image-occlusion:ellipse:left=.5:top=.5:width=.2:height=.2:oi=1}}",
            header="Which colour?",
            back_extra="all red",
            tags=["io"],
        )
        io_note = col.get_note(col.find_notes('"note:Image Occlusion"')[0])
        assert occlusion is not None
        col.set_deck([c.id for c in io_note.cards()], col.decks.id("Geo"))
        notes["occlusion"] = io_note
        # Scheduling: a card answered Easy (a review card, due in days), one answered Good
        # (learning, due in minutes), one suspended.
        _answer(col, notes["reversed"].cards()[0], 3)
        _answer(col, notes["basic"].cards()[0], 2)
        col.sched.suspend_cards([c.id for c in notes["type-in"].cards()])
        # Made an hour ago: whatever drill writes later is newer, as in real use.
        col.db.execute("UPDATE notes SET mod = mod - 3600")
        made.guids = {name: note.guid for name, note in notes.items()}
        made.notes = col.note_count()
        for target, legacy in ((made.current, False), (made.legacy, True)):
            col.export_anki_package(
                out_path=str(target),
                options=ExportAnkiPackageOptions(
                    with_scheduling=True, with_media=True, legacy=legacy
                ),
                limit=None,
            )
    finally:
        col.close()
    return made


def _answer(col: Any, card: Any, rating: int) -> None:
    states = col._backend.get_scheduling_states(card.id)
    card = col.get_card(card.id)
    card.start_timer()
    col.sched.answer_card(col.sched.build_answer(card=card, states=states, rating=rating))


def export_package(col: Any, out: Path, *, with_media: bool = True) -> Path:
    """The whole collection as an .apkg without scheduling, as File > Export writes it."""
    from anki.collection import ExportAnkiPackageOptions

    col.export_anki_package(
        out_path=str(out),
        options=ExportAnkiPackageOptions(with_scheduling=False, with_media=with_media),
        limit=None,
    )
    return out


def copy_collection(made: Made, to: Path) -> Path:
    to.mkdir(parents=True, exist_ok=True)
    shutil.copy(made.collection, to / "collection.anki2")
    media = made.collection.with_name("collection.media")
    if media.is_dir():
        shutil.copytree(media, to / "collection.media", dirs_exist_ok=True)
    return to / "collection.anki2"


def import_package(collection: Path, package: Path, *, with_scheduling: bool = False) -> Any:
    """Import a package into a collection (made if missing) as Anki's File > Import does;
    returns the import log."""
    from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

    col = Collection(str(collection))
    try:
        response = col.import_anki_package(
            ImportAnkiPackageRequest(
                package_path=str(package),
                options=ImportAnkiPackageOptions(
                    with_scheduling=with_scheduling, with_deck_configs=False
                ),
            )
        )
        return response.log
    finally:
        col.close()


_DRILL_MEDIA = re.compile(r"drill-[0-9a-f]{10}-")


def notes_by_guid(collection: Path) -> dict[str, tuple[str, dict[str, str], str]]:
    """GUID -> (note type name, fields as Markdown with media names normalised, deck)."""
    from anki.collection import Collection

    from drill.importers.html import html_to_markdown

    col = Collection(str(collection))
    try:
        found = {}
        for nid in col.find_notes(""):
            note = col.get_note(nid)
            deck = col.decks.name(note.cards()[0].did) if note.cards() else ""
            fields = {
                name: _DRILL_MEDIA.sub("", html_to_markdown(value, lambda n: n))
                for name, value in note.items()
            }
            found[note.guid] = (note.note_type()["name"], fields, deck)
        return found
    finally:
        col.close()


def media_names(collection: Path) -> set[str]:
    folder = collection.with_name(collection.stem + ".media")
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()
