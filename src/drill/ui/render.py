"""Results as text: one function per result, shared by the CLI and the fast path (drill.entry),
so `drill due` prints the same table whichever way it is answered. Plain strings; no typer."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

from drill.names import plural

HEAT = " ░▒▓█"
ORIGINS = {"drill": "drill", "anki": "Anki"}  # where a review was done


def as_json(payload: Any) -> str:
    return json.dumps(payload, ensure_ascii=False, indent=2)


def local_minute(moment: datetime | str) -> str:
    """A stored time as local time, to the minute."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return f"{moment.astimezone():%Y-%m-%d %H:%M}"


# --------------------------------------------------------------------------- due


def due(report: Any, hint: bool = False, every: bool = False) -> str:
    """`drill due` (drill.services.due.DueReport); with `hint`, the next command too. Decks
    with nothing due are one line at the end unless `every` (a shell prompt's `drill` should
    not print fifty rows of zeros)."""
    if not report.decks:
        return "No cards yet. Add a deck (see README), then run drill quiz."
    shown = {deck: c for deck, c in report.decks.items() if every or c.new + c.learning + c.review}
    width = max([len(deck) for deck in shown] + [len("total")])
    lines = [f"{'deck':<{width}}  {'new':>5}  {'learn':>5}  {'review':>6}"]
    for deck, c in shown.items():
        lines.append(f"{deck:<{width}}  {c.new:>5}  {c.learning:>5}  {c.review:>6}")
    t = report.total
    lines.append(f"{'total':<{width}}  {t.new:>5}  {t.learning:>5}  {t.review:>6}")
    if hidden := len(report.decks) - len(shown):
        lines.append(f"({plural(hidden, 'more deck')} with nothing due: drill due --all)")
    if hint:
        lines += [
            "",
            "Next: drill quiz"
            if t.new + t.learning + t.review
            else "Nothing due. drill quiz --cram goes through cards anyway.",
        ]
    return "\n".join(lines)


# --------------------------------------------------------------------------- stats


def heatmap(per_day: dict[str, int], today: date) -> list[str]:
    """A year of reviews as GitHub draws it: a column per week, a row per weekday."""
    start = today - timedelta(days=364)
    start -= timedelta(days=start.weekday())  # columns start on Monday
    weeks = (today - start).days // 7 + 1
    peak = max(per_day.values(), default=0)
    grid = [[" "] * weeks for _ in range(7)]
    day = start
    while day <= today:
        n = per_day.get(day.isoformat(), 0)
        level = 1 + 3 * (n - 1) // max(peak - 1, 1) if n else 0
        grid[day.weekday()][(day - start).days // 7] = HEAT[level] if n else "·"
        day += timedelta(days=1)
    # Month names above the week in which each month starts, where there is room.
    months = [" "] * (weeks + 3)
    for week in range(weeks):
        first = start + timedelta(days=7 * week)
        if (week == 0 or first.month != (first - timedelta(days=7)).month) and all(
            c == " " for c in months[max(0, week - 1) : week + 3]
        ):
            months[week : week + 3] = first.strftime("%b")
    names = ("Mon", "", "Wed", "", "Fri", "", "Sun")
    header = "    " + "".join(months).rstrip()
    return [header] + [f"{names[i]:>3} {''.join(row)}" for i, row in enumerate(grid)]


def stats(report: Any) -> str:
    """`drill stats` (drill.services.stats.StatsReport)."""
    data = report.to_json()
    lines = []
    today = date.fromisoformat(data["today"]["date"])
    lines.append(
        f"Today: {plural(data['today']['reviews'], 'review')} · "
        f"streak {plural(data['streak_days'], 'day')}"
    )
    lines.append("")
    lines.append("Reviews over the last year (· none, ░▒▓█ more):")
    lines.extend(heatmap(data["reviews_per_day"], today))
    origins = data.get("reviews_by_origin") or {}
    if sum(origins.values()):
        lines.append(
            f"Reviews done in drill: {origins.get('drill', 0)} · in Anki: {origins.get('anki', 0)}"
        )
    lines.append("")
    lines.append("True retention, last 30 days:")
    for name in ("young", "mature"):
        r = data["retention_30d"][name]
        rate = f"{r['rate']:.1%}" if r["rate"] is not None else "—"
        label = "young (<21d)" if name == "young" else "mature (21d+)"
        lines.append(f"  {label:<14} {rate:>6}  ({r['passed']}/{r['total']})")
    recall = data.get("retrievability") or {}
    if recall.get("cards"):
        lines.append(
            f"Predicted retrievability (FSRS): {recall['average']:.1%} on average now, over "
            f"{plural(recall['cards'], 'review card')}"
        )
    lines.append("")
    lines.append("Due in the next 30 days:")
    forecast = data["forecast_30d"]
    peak = max((f["due"] for f in forecast), default=0) or 1
    for f in forecast[:14]:
        bar = "█" * round(20 * f["due"] / peak)
        lines.append(f"  {f['date']}  {f['due']:>5}  {bar}")
    rest = sum(f["due"] for f in forecast[14:])
    lines.append(f"  ... and {rest} more in days 15-30")
    lines.append("")
    cards = data["cards"]
    lines.append("Cards: " + " · ".join(f"{k} {v}" for k, v in cards.items()))
    ease = {k: v for k, v in data["ease"].items() if v}
    if ease:
        lines.append("Ease: " + " · ".join(f"{k}: {v}" for k, v in ease.items()))
    if data["leeches"]:
        lines.append(
            "Leeches: "
            + ", ".join(f"{x['id']} ({plural(x['lapses'], 'lapse')})" for x in data["leeches"])
        )
    times = data.get("problem_times") or {}
    if times:
        lines.append("")
        lines.append("Estimation problems, median time per family (the guide budgets 3:00):")
        width = max(len(family) for family in times)
        for family, t in times.items():
            seconds = round(t["median_seconds"])
            lines.append(
                f"  {family:<{width}}  {seconds // 60}:{seconds % 60:02d}  "
                f"({plural(t['answers'], 'problem')})"
            )
    return "\n".join(lines)


# --------------------------------------------------------------------------- lists


def card_lines(cards: list[Any]) -> str:
    """`drill list`: id, deck, kind and question, the question cut to the terminal's width."""
    import shutil

    width = max(len(c.id) for c in cards)
    deck_width = max(len(c.deck) for c in cards)
    # The question gets what the terminal has left (at least 30 characters; 80 in a pipe).
    columns = shutil.get_terminal_size((width + deck_width + 17 + 80, 24)).columns
    room = max(30, columns - width - deck_width - 17)
    lines = []
    for c in cards:
        question = " ".join(c.front.split())
        if len(question) > room:
            question = question[: room - 1] + "…"
        lines.append(f"{c.id:<{width}}  {c.deck:<{deck_width}}  {c.kind:<11}  {question}")
    return "\n".join(lines)


def template_lines(templates: list[Any]) -> str:
    """`drill problem list`."""
    width = max(len(t.id) for t in templates)
    deck_width = max(len(t.deck) for t in templates)
    return "\n".join(
        f"{t.id:<{width}}  {t.deck:<{deck_width}}  {t.title}"
        f"{' (suspended)' if t.suspended else ''}  [{', '.join(t.answers)}]"
        for t in templates
    )


# --------------------------------------------------------------------------- cards


def card_info(info: Any) -> str:
    """`drill card show` (drill.services.cards.CardInfo or NoteInfo)."""
    if hasattr(info, "cards"):  # a note id: its cards
        lines = [f"Note {info.note_id} has {plural(len(info.cards), 'card')}:"]
        width = max(len(c.id) for c in info.cards)
        for c in info.cards:
            lines.append(f"  {c.id:<{width}}  {c.phase:<10}  {' '.join(c.front.split())[:60]}")
        lines.append("drill card show ID shows one of them.")
        return "\n".join(lines)
    data = info.to_json()
    st = data["state"]
    lines = [
        f"{data['id']}  ({data['kind']}, {data['deck']})  {data['where']}",
        f"Q: {data['front']}",
        f"A: {data['back']}",
    ]
    if data["source"] or data["as_of"]:
        lines.append(
            "Source: "
            + " · ".join(filter(None, [data["source"], data["as_of"] and f"as of {data['as_of']}"]))
        )
    flags = [name for name in ("suspended", "leech", "orphaned") if st[name]]
    if info.buried:
        flags.append(f"buried until {local_minute(st['buried_until'])}")
    memory = (
        f", stability {st['stability']:.1f}d, difficulty {st['difficulty']:.1f}"
        if st["scheduler"] == "fsrs" and st["stability"] is not None
        else ""
    )
    due = local_minute(st["due"]) if st["due"] else "now"
    lines.append(
        f"State: {st['phase']} ({st['scheduler']}), due {due}, "
        f"interval {st['interval_days']}d, ease {st['ease']:.2f}{memory}, "
        f"{plural(st['reps'], 'review')}, {plural(st['lapses'], 'lapse')}"
        + (f" [{', '.join(flags)}]" if flags else "")
    )
    if not data["history"]:
        lines.append("No reviews yet.")
    else:
        where = Counter(ORIGINS.get(h["origin"], h["origin"]) for h in data["history"])
        lines.append(
            "History ("
            + ", ".join(f"{n} in {name}" for name, n in sorted(where.items(), reverse=True))
            + "):"
        )
    for h in data["history"]:
        typed = f"  typed {h['typed_answer']!r} ({h['grade']})" if h["typed_answer"] else ""
        lines.append(
            f"  {local_minute(h['reviewed_at'])}  {ORIGINS.get(h['origin'], h['origin']):<5}  "
            f"{h['review_kind']:<7} rating {h['rating']}  "
            f"{h['interval_before']}d -> {h['interval_after']}d  "
            f"ease {h['ease_after']:.2f}  {h['answer_ms'] / 1000:.1f}s{typed}"
        )
    return "\n".join(lines)


def fitted(result: Any) -> str:
    """`drill optimize` (drill.services.optimize.Fitted)."""
    deck = result.deck
    where = (
        f"the `options:` of the deck file of '{deck}'"
        if deck is not None
        else "the config file's `options:` (every deck) or a deck file's (one deck)"
    )
    return "\n".join(
        [
            f"Fitted FSRS parameters to {plural(result.reviews, 'review')}"
            f"{f' of {deck}' if deck else ''}.",
            f"To use them, put these lines in {where}:",
            "",
            "options:",
            "  scheduler: fsrs",
            f"  fsrs_parameters: [{', '.join(f'{p:g}' for p in result.parameters)}]",
        ]
    )


def config(result: Any) -> str:
    """`drill config show` (drill.services.config_view.ConfigReport)."""
    s = result.settings
    state = "" if s.config_exists else " (not created yet)"
    lines = [
        f"config file   {s.config_file}{state}",
        f"database      {s.database.value}  ({s.database.source})",
    ]
    lines += [f"deck folder   {f.value}  ({f.source})" for f in s.deck_folders]
    if not s.deck_folders:
        lines.append("deck folder   none (bundled decks are switched off)")
    lines.append(
        f"sync server   {s.sync_url or 'AnkiWeb'}" + ("  (config file)" if s.sync_url else "")
    )
    lines.append("")
    deck = result.deck
    lines.append(
        f"Study options{' for ' + deck if deck else ' (every deck; --deck NAME for one)'}:"
    )
    for name, (value, source) in result.options.items():
        lines.append(f"  {name:<20} {value!s:<10} ({source})")
    return "\n".join(lines)


# --------------------------------------------------------------------------- authoring


def shell_word(text: str) -> str:
    """`text` as one word of a command to paste into a POSIX shell. A leading `~/` stays
    outside the quotes, so the shell still expands it ('~/notes' would name a folder `~`)."""
    import shlex

    if text == "~" or text.startswith("~/"):
        rest = text[2:]
        return "~/" + shlex.quote(rest) if rest else "~"
    return shlex.quote(text)


def initialised(result: Any, folder: Any) -> str:
    """`drill init` (drill.services.authoring.Initialised)."""
    from drill.paths import display_path

    made = result.made
    lines = [
        f"Wrote {display_path(made.deck_file)}: deck '{made.deck}', "
        f"{plural(made.cards, 'card')}, one per kind."
    ]
    where = display_path(result.config_file)
    shown = display_path(folder.resolve())
    if result.added is None:
        return "\n".join(lines)
    lines.append(
        f"Added {shown} to `decks:` in {where}."
        if result.added
        else f"{shown} is already in `decks:` in {where}."
    )
    lines += [
        "Next:",
        f"  drill check {shell_word(shown)}",
        f"  drill quiz --deck {shell_word(made.deck)}",
        f"  drill build {shell_word(shown)}",
    ]
    return "\n".join(lines)


def imported(result: Any) -> str:
    """`drill import` (drill.services.importing.ImportResult)."""
    from drill.paths import display_path

    lines = []
    skipped = 0
    for report in result.reports:
        shown = display_path(report.out)
        counts = f"{report.added} new, {report.updated} updated, {report.unchanged} unchanged"
        if report.kept:
            counts += f", {report.kept} kept that the source no longer has"
        media = f", {plural(report.media, 'media file')}" if report.media else ""
        deck = f" ({report.deck})" if len(result.reports) > 1 else ""
        lines.append(
            f"Wrote {shown}{deck}: {plural(report.cards, 'card')} ({counts}){media} "
            f"from {report.format}."
        )
        skipped += len(report.skipped)
    first = result.reports[0]
    for notice in first.notices:
        lines.append(f"Not carried over: {notice}" if first.format == "Anki package" else notice)
    if skipped:
        lines.append(f"Left out {plural(skipped, 'row')} that could not be read (see above).")
    if result.history is not None:
        h = result.history
        lines.append(
            f"Progress from Anki: {plural(h.received, 'review')} brought in, "
            f"{plural(h.updated, 'card')} scheduled as Anki has them"
            + (f" ({plural(h.manual, 'manual reschedule')} left out)" if h.manual else "")
            + "."
        )
    elif first.scheduled and result.in_deck_folder:
        lines.append("Progress from Anki left behind (--no-progress).")
    elif first.scheduled:
        lines.append(
            f"Progress from Anki ({plural(first.scheduled, 'scheduled card')}, "
            f"{plural(first.reviews, 'review')}) not brought in yet: the cards are not in a "
            "deck folder; once they are, run "
            f"drill pull {shell_word(display_path(result.source))}"
        )
    folders = list(dict.fromkeys(display_path(r.out.resolve().parent) for r in result.reports))
    target = display_path(first.out) if len(result.reports) == 1 else folders[0]
    lines.append(f"Next: drill check {shell_word(target)}")
    if not result.in_deck_folder:
        from drill.config import config_path

        lines.append(
            f"{', '.join(folders)} is not a deck folder yet: add it to `decks:` in "
            f"{display_path(config_path())}, or pass --decks."
        )
    return "\n".join(lines)


# --------------------------------------------------------------------------- problems


def problem(instance: Any, answers: bool) -> str:
    """`drill problem show`."""
    import textwrap

    shown_seed = "default numbers" if instance.seed is None else f"seed {instance.seed}"
    lines = [
        f"{instance.title}  [{instance.id}, {shown_seed}]",
        textwrap.fill(instance.question, 88),
        "",
    ]
    decision = instance.decision
    names = [*instance.answers, *(["decision"] if decision is not None else [])]
    width = max(len(name) for name in names)
    for name, answer in instance.answers.items():
        shown = f"  = {answer.text}" if answers else ""
        lines.append(f"  {name:<{width}}  {answer.prompt}{shown}")
    if decision is not None:
        shown = f"  = {decision.answer}" if answers else ""
        lines.append(f"  {'decision':<{width}}  {decision.prompt}{shown}")
        lines += [f"  {'':<{width}}  {n}) {o}" for n, o in enumerate(decision.options, 1)]
    if answers:
        if instance.hints:
            lines.append("\nHints:")
            lines += [f"  - {hint}" for hint in instance.hints]
        lines.append("\nWorked solution (each step: the napkin path, then the exact value):")
        lines += [f"  {line}" for line in instance.worked]
    return "\n".join(lines)


def graded(result: Any) -> str:
    """`drill problem check` (drill.services.problems.Graded)."""
    width = max(len(name) for name in result.grades)
    lines = [
        f"{name:<{width}}  {g.message}  (answer: {result.expected_text(name)})"
        for name, g in result.grades.items()
    ]
    lines.append(f"overall: {result.verdict} (suggested rating: {result.rating})")
    return "\n".join(lines)


def pulled(report: Any) -> str:
    """`drill pull` (drill.services.history.PullReport)."""
    lines = [
        f"{plural(report.notes, 'note')} of drill's found ({plural(report.cards, 'card')}, "
        f"{plural(report.reviews_in_file, 'review')} in the file)"
        + (f"; {plural(report.other_notes, 'other note')} left alone" if report.other_notes else "")
    ]
    if not report.changed:
        if report.reviews_in_file:
            lines.append("nothing new: drill already has every review in the file")
    else:
        lines.append(
            f"{plural(report.received, 'review')} brought in, "
            f"{plural(report.updated, 'card')} updated"
            + (
                f", {plural(report.matched, 'drill review')} found in Anki"
                if report.matched
                else ""
            )
        )
    if report.replayed:
        lines.append(
            f"{plural(len(report.replayed), 'card')} answered in both drill and Anki: "
            "replayed in time order ("
            + ", ".join(report.replayed[:5])
            + (", ..." if len(report.replayed) > 5 else "")
            + ")"
        )
    if report.manual:
        lines.append(
            f"left out {plural(report.manual, 'manual change')} in Anki (set due date, forget, "
            "reschedule): not answers"
        )
    if report.cards and not report.reviews_in_file:
        lines.append("the file holds no review history (exported without scheduling?)")
    return "\n".join(lines)


def synced(result: Any) -> str:
    """`drill sync` (drill.services.anki_sync.SyncResult)."""
    first = {
        "downloaded": f" (full sync: drill's copy replaced by the collection on {result.server})",
        "uploaded": f" (full sync: the collection on {result.server} replaced by drill's copy)",
    }.get(result.full or "", "")
    if result.first:
        first = (
            f" (first sync: the collection on {result.server} downloaded, drill's notes added)"
            if result.full == "downloaded"
            else " (first sync)"
        )
    lines = [f"synced with {result.server}{first}"]
    notes = f"notes: {result.notes_added} added, {result.notes_updated} updated"
    if result.notes_removed:
        notes += f", {result.notes_removed} removed (--prune)"
    if result.notes_kept:
        notes += (
            f"; {plural(result.notes_kept, 'note')} whose id left the YAML kept in Anki "
            "(--prune removes them)"
        )
    lines.append(notes)
    reviews = f"reviews: {result.reviews_sent} sent, {result.reviews_received} received"
    if result.reviews_matched:
        reviews += f", {result.reviews_matched} already in Anki"
    if result.conflicts:
        shown = ", ".join(result.conflicts[:5]) + (", ..." if len(result.conflicts) > 5 else "")
        reviews += (
            f"; {plural(len(result.conflicts), 'card')} answered on both sides, replayed in "
            f"time order ({shown})"
        )
    lines.append(reviews)
    lines.append(f"media: {result.media_sent} sent, {result.media_received} received")
    return "\n".join(lines)
