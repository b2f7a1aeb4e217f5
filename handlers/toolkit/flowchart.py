"""The consult-or-engage flowchart: YAML data, a validator, and a small pure engine to walk it.

A council's toolkit is a flowchart of questions ending in outcomes (inform / consult / involve /
empower). It is data, not code, so a council can replace the default file with its own; the
format is described at the top of handlers/toolkit/consult_or_engage.yaml. `load` refuses a
file with any fault (a loop, a dead end, a typo in a `next`) so that every walk ends somewhere.
Walking is pure: `step` takes a WalkState and returns the next one, so the chat layer can store
the state anywhere and replay it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeAlias, TypeVar

import yaml

from handlers.language.quantities import plural
from handlers.toolkit.catalogue import (
    CHECKED,
    DEFAULT_NATION,
    FIELDS,
    KINDS,
    NATIONS,
    Duty,
    Source,
    search,
)

# The two vocabularies of one ladder (the Halton health check words).
LEVELS = {
    "inform": "Information giving",
    "consult": "Consultation",
    "involve": "Deciding together",
    "empower": "Acting together",
}

# Not a rung of the ladder: a process the law sets (a notice, a referendum, a decision).
STATUTORY = {"statutory": "a process the law sets"}
LEVEL_NAMES = {"statutory": "Statutory process"}

DEFAULT_PATH = Path(__file__).parent / "consult_or_engage.yaml"
TOOLKIT = DEFAULT_PATH.parent
# Fields whose duties a law question offers only when it names them (`offer: {fields: ...}`).
RESERVED_FIELDS = ("staff", "emergencies")

# What a text node may ask for: the engagement register fields typed as free text.
INPUTS = ("title", "audience", "area", "budget", "start", "end")
WORDS = "words"  # a text node's input that is searched (a law question's `search`), not kept
# What answers' `collect` and outcomes' `register` may fill in.
REGISTER_FIELDS = (*INPUTS, "legal_advice", "significance")

BACK = ("back", "go back", "undo")
RESTART = ("start again", "restart", "start over")
SKIP = ("skip", "-")  # at a text node: leave the register field blank
# at a register detail: leave it and the details that follow blank, on to the next question
SKIP_ALL = ("skip all", "skip the details", "skip these details")
DETAILS = tuple(i for i in INPUTS if i != "title")

_ID = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
# The other UK nations, where an inline duty's law differs from England's (key, then name).
OTHER_NATIONS = {k: v for k, v in NATIONS.items() if k != "england"}

_TOP_KEYS = {
    "name", "version", "title", "start", "nodes", "outcomes", "description",
    "duties", "always", "sizes", "catalogue",
}  # fmt: skip
_NODE_KEYS = {
    "question", "why", "answers", "input", "next", "notes", "search_register", "offer", "by_kind",
}  # fmt: skip
_OFFER_KEYS = {"common", "title", "search", "fields", "limit"}
_ANSWER_KEYS = {"label", "next", "collect", "duties", "size", "way_out"}
_OUTCOME_KEYS = {
    "level", "title", "why", "next_steps", "methods", "afterwards", "register", "notes",
    "process", "nations",
}  # fmt: skip
_DUTY_KEYS = {"name", "law", "asks", "who", "timing", "notes", *OTHER_NATIONS}
# A catalogue duty's keys (handlers/toolkit/duties.yaml).
_CATALOGUE_KEYS = {
    "name", "law", "asks", "who", "timing", "nations", "kind", "label", "fields", "common",
    "always", "words", "also", "instead", "notes", "not_here", "source",
}  # fmt: skip
_SOURCE_KEYS = {"checked", "where", "date"}

# libyaml's loader when installed: the catalogue is long, and pure Python reads it slowly
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_At: TypeAlias = tuple[str | int, ...]  # where a value sits in the YAML document, for line numbers


@dataclass(frozen=True)
class Answer:
    label: str
    next: str
    # Register fields this answer fills in, e.g. (("significance", "whole borough"),).
    collect: tuple[tuple[str, str], ...] = ()
    duties: tuple[str, ...] = ()  # duty ids this answer brings in
    size: str | None = None  # the size id this answer sets, for proportionate methods
    # "No, none of these", "Not sure": kept in sight when a long list of answers is a menu.
    way_out: bool = False


@dataclass(frozen=True)
class Offer:
    """Which duties of the catalogue a law question offers as answers, for the walk's nation."""

    common: bool = False  # the nation's common duties
    title: bool = False  # the duties the walk's title points to, first
    search: str | None = None  # a text node whose answer (with the title) is searched
    fields: tuple[str, ...] = ()  # only duties of these fields (default: all but RESERVED)
    limit: int = 4  # matches offered from a search


@dataclass(frozen=True)
class Node:
    """A question. With `input` set it is a text node: free text, then always `next`."""

    id: str
    question: str
    why: str
    answers: tuple[Answer, ...]
    input: str | None = None
    next: str | None = None
    search_register: bool = False  # show what the engagement register holds like this walk
    offer: Offer | None = None  # duties offered as answers, besides the fixed ones
    by_kind: tuple[tuple[str, str], ...] = ()  # (process kind, where an offered duty leads)

    def targets(self) -> tuple[str, ...]:
        """Every node or outcome id this node can lead to."""
        if self.next is not None:
            return (self.next,)
        return tuple(dict.fromkeys([*(a.next for a in self.answers), *dict(self.by_kind).values()]))


@dataclass(frozen=True)
class Outcome:
    id: str
    level: str
    title: str
    why: str
    next_steps: tuple[str, ...]
    methods: tuple[str, ...]
    register: dict[str, object] = field(default_factory=dict)
    # Methods by size id, when they scale with the size of the change (then `methods` is ()).
    methods_by_size: dict[str, tuple[str, ...]] = field(default_factory=dict)
    afterwards: tuple[str, ...] = ()  # after the consultation: the decision, feedback
    process: str = ""  # the kind of statutory process it is the ending of (a KINDS key)
    nations: tuple[str, ...] = ()  # the nations it is meant for (): all

    @property
    def level_words(self) -> str:
        """Both ladders' words, e.g. "Consult (consultation)"."""
        name = LEVEL_NAMES.get(self.level, self.level.capitalize())
        return f"{name} ({({**LEVELS, **STATUTORY})[self.level].lower()})"

    def methods_for(self, size: str | None) -> tuple[str, ...]:
        """The methods that suit a change of this size (the checker ensures size is known)."""
        if size is not None and size in self.methods_by_size:
            return self.methods_by_size[size]
        return self.methods


@dataclass(frozen=True)
class Flowchart:
    name: str
    version: str
    title: str
    start: str
    nodes: dict[str, Node]
    outcomes: dict[str, Outcome]
    source: str  # the file path, or "default"
    duties: dict[str, Duty] = field(default_factory=dict)
    always: tuple[str, ...] = ()  # duty ids every ending shows
    sizes: dict[str, str] = field(default_factory=dict)  # size id -> what is proportionate
    catalogue: str = ""  # the duty catalogue's path, if the flowchart names one

    def is_outcome(self, node_id: str) -> bool:
        return node_id in self.outcomes

    def always_in(self, nation: str) -> tuple[str, ...]:
        """The duty ids every ending in `nation` shows."""
        ids = [*self.always, *(d.id for d in self.duties.values() if d.always)]
        return tuple(i for i in dict.fromkeys(ids) if i in self.duties)


_T = TypeVar("_T")


class FlowchartError(ValueError):
    """A flowchart file that cannot be used; `problems` lists every fault found."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        lines = "\n".join(f"- {p}" for p in problems)
        super().__init__(f"The flowchart {source} has {plural(len(problems), 'problem')}:\n{lines}")


class WalkError(ValueError):
    """An answer the current question cannot take; the message says what it can take."""


# ---------------------------------------------------------------- loading and checking


def load(path: Path | None = None) -> Flowchart:
    """Read and validate a flowchart (the default toolkit when path is None)."""
    chart, problems = _read(path or DEFAULT_PATH, "default" if path is None else str(path))
    if problems or chart is None:
        raise FlowchartError(str(path or DEFAULT_PATH), problems)
    return chart


def check(path: Path) -> list[str]:
    """Every problem in the flowchart file; [] when it is sound."""
    return _read(path, str(path))[1]


def _read(path: Path, source: str) -> tuple[Flowchart | None, list[str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        return None, [f"cannot read the file: {err}"]
    try:
        lines, duplicates = _lines(yaml.compose(text, Loader=_LOADER))
        data = yaml.load(text, Loader=_LOADER)  # noqa: S506 (a safe loader)
    except yaml.YAMLError as err:
        return None, [_yaml_problem(text, err)]
    reader = _Reader(lines)
    reader.problems.extend(duplicates)
    chart = reader.chart(data, source, path.parent)
    if chart is not None:
        for at, message in _graph_problems(chart):
            reader.problems.append(message + _line(lines, at))
    return chart, reader.problems


def read_catalogue(path: Path) -> tuple[dict[str, Duty], list[str]]:
    """The duties of a catalogue file, and every problem in it ([] when it is sound)."""
    try:
        text = path.read_text(encoding="utf-8")
        lines, duplicates = _lines(yaml.compose(text, Loader=_LOADER))
        data = yaml.load(text, Loader=_LOADER)  # noqa: S506 (a safe loader)
    except (OSError, UnicodeDecodeError) as err:
        return {}, [f"cannot read the file: {err}"]
    except yaml.YAMLError as err:
        return {}, [_yaml_problem(text, err)]
    reader = _Reader(lines)
    reader.problems.extend(duplicates)
    raw = reader.mapping(data, (), "a mapping with version and duties")
    if raw is None:
        return {}, reader.problems
    reader.keys(raw, {"version", "description", "duties"}, ())
    reader.text(raw, "version", ())
    duties = reader.section(raw, "duties", reader.catalogue_duty) or {}
    for at, message in _catalogue_problems(duties):
        reader.problems.append(message + _line(lines, at))
    return duties, reader.problems


def _catalogue_problems(duties: dict[str, Duty]) -> list[_Problem]:
    """Links between duties that lead nowhere, and buttons that two duties share."""
    problems: list[_Problem] = []
    for duty in duties.values():
        at: _At = ("duties", duty.id)
        problems += [
            ((*at, "also"), f'duty "{duty.id}": also names "{a}", which is not in the catalogue')
            for a in duty.also
            if a not in duties
        ]
        for nation, other in duty.instead:
            there = duties.get(other)
            if there is None or not there.applies_in(nation) or duty.applies_in(nation):
                problems.append(
                    (
                        (*at, "instead", nation),
                        f'duty "{duty.id}": instead in {NATIONS[nation]} names "{other}", which '
                        f"must be a duty of {NATIONS[nation]} (and this one must not apply there)",
                    )
                )
        problems += [
            (
                (*at, "notes", n),
                f'duty "{duty.id}": a note for {NATIONS[n]}, where it does not apply',
            )
            for n, _ in duty.notes
            if not duty.applies_in(n)
        ]
        problems += [
            ((*at, "not_here", n), f'duty "{duty.id}": not_here for {NATIONS[n]}, where it applies')
            for n, _ in duty.not_here
            if duty.applies_in(n)
        ]
    for nation in NATIONS:
        seen: dict[str, str] = {}
        for duty in (d for d in duties.values() if d.applies_in(nation)):
            key = _norm(duty.button())
            if key in seen:
                problems.append(
                    (
                        ("duties", duty.id),
                        f'duties "{seen[key]}" and "{duty.id}" share the button '
                        f'"{duty.button()}" in {NATIONS[nation]}',
                    )
                )
            seen[key] = duty.id
    return problems


def _yaml_problem(text: str, err: yaml.YAMLError) -> str:
    """A YAML syntax error, with its lines and the node or outcome it is in.

    An unclosed quote is only noticed far below it, so the context mark (where the quoted text
    began) names the node better than the problem mark.
    """
    if not isinstance(err, yaml.MarkedYAMLError) or err.problem_mark is None:
        return f"YAML syntax error: {err}"
    parts = [(err.context, err.context_mark), (err.problem, err.problem_mark)]
    what = " ".join(
        f"{words} (line {mark.line + 1}, column {mark.column + 1})"
        for words, mark in parts
        if words and mark is not None
    )
    first = err.context_mark or err.problem_mark
    inside = _enclosing(text, first.line + 1)
    return f"YAML syntax error{f' in {inside}' if inside else ''}: {what}"


def _enclosing(text: str, line: int) -> str:
    """'node "x"' or 'outcome "x"' for the entry a line falls in, judged by indentation."""
    section, child_indent, current = "", -1, ""
    for raw in text.splitlines()[:line]:
        match = re.match(r"(\s*)([A-Za-z_][\w-]*)\s*:", raw)
        if not match:
            continue
        indent, key = len(match.group(1)), match.group(2)
        if indent == 0:
            section, child_indent, current = key, -1, ""
        elif section in ("nodes", "outcomes"):
            child_indent = indent if child_indent < 0 else child_indent
            current = key if indent == child_indent else current
    kind = {"nodes": "node", "outcomes": "outcome"}.get(section)
    return f'{kind} "{current}"' if kind and current else ""


def _lines(root: yaml.Node | None) -> tuple[dict[_At, int], list[str]]:
    """Line numbers of every key and list item, and any key defined twice in one mapping.

    YAML quietly keeps the last of two equal keys, which would lose a whole node.
    """
    lines: dict[_At, int] = {}
    duplicates: list[str] = []
    stack: list[tuple[yaml.Node, _At]] = [(root, ())] if root is not None else []
    while stack:
        node, at = stack.pop()
        lines.setdefault(at, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key, value in node.value:
                name = str(key.value)
                line = key.start_mark.line + 1
                if name in seen:
                    duplicates.append(_duplicate(at, name, seen[name], line))
                seen[name] = line
                lines[(*at, name)] = line
                stack.append((value, (*at, name)))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, (*at, i)) for i, item in enumerate(node.value))
    return lines, duplicates


def _duplicate(at: _At, name: str, first: int, again: int) -> str:
    kinds: dict[_At, str] = {("nodes",): "node", ("outcomes",): "outcome"}
    kind = kinds.get(at, "key")
    inside = f" in {_where(at)}" if at and kind == "key" else ""
    return f'{kind} "{name}"{inside} is defined twice (lines {first} and {again})'


def _line(lines: dict[_At, int], at: _At) -> str:
    """ " (line N)" for a place in the file; a missing key points at its parent."""
    while at and at not in lines:
        at = at[:-1]
    return f" (line {lines[at]})" if at else ""


def _where(at: _At) -> str:
    """How a problem names its place: 'node "x"', 'outcome "x"' or 'the flowchart'."""
    kinds = {"nodes": "node", "outcomes": "outcome", "duties": "duty"}
    if len(at) >= 2 and at[0] in kinds:
        return f'{kinds[str(at[0])]} "{at[1]}"'
    return "the flowchart"


class _Reader:
    """Turns parsed YAML into a Flowchart, noting every problem instead of stopping at one."""

    def __init__(self, lines: dict[_At, int]) -> None:
        self.lines = lines
        self.problems: list[str] = []

    def bad(self, at: _At, message: str) -> None:
        self.problems.append(f"{_where(at)}: {message}{_line(self.lines, at)}")

    def text(self, raw: dict[str, object], key: str, at: _At, required: bool = True) -> str:
        value = raw.get(key)
        if value is None:
            if required:
                self.bad((*at, key), f'"{key}" is missing')
            return ""
        if isinstance(value, bool):
            word = "Yes" if value else "No"
            self.bad((*at, key), f'"{key}" must be text: put it in quotes, e.g. "{word}"')
            return ""
        if not isinstance(value, str):
            self.bad((*at, key), f'"{key}" must be text in quotes, not {value!r}')
            return ""
        if not value.strip():
            self.bad((*at, key), f'"{key}" is empty')
        return value.strip()

    def texts(self, raw: dict[str, object], key: str, at: _At) -> tuple[str, ...]:
        value = raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            self.bad((*at, key), f'"{key}" must be a list of text')
            return ()
        return tuple(str(v).strip() for v in value)

    def mapping(self, value: object, at: _At, what: str) -> dict[str, object] | None:
        if isinstance(value, dict) and all(isinstance(k, str) for k in value):
            return value
        self.bad(at, f"should be {what}")
        return None

    def keys(self, raw: dict[str, object], allowed: set[str], at: _At) -> None:
        """Unknown keys are usually typos ("anwsers"), which would silently change the walk."""
        for key in raw:
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                self.bad((*at, key), f'unknown key "{key}" (known keys: {known})')

    def chart(self, data: object, source: str, folder: Path = TOOLKIT) -> Flowchart | None:
        raw = self.mapping(data, (), "a mapping with name, version, start, nodes and outcomes")
        if raw is None:
            return None
        self.keys(raw, _TOP_KEYS, ())
        head = {k: self.text(raw, k, ()) for k in ("name", "version", "title", "start")}
        nodes = self.section(raw, "nodes", self.node)
        outcomes = self.section(raw, "outcomes", self.outcome)
        duties = self.section(raw, "duties", self.duty) if "duties" in raw else {}
        listed, catalogue = self.catalogue(raw, folder)
        for twice in sorted(set(listed) & set(duties or {})):
            self.bad(("duties", twice), f'duty "{twice}" is in the catalogue {catalogue} too')
        duties = {**listed, **(duties or {})}
        sizes = self.sizes(raw.get("sizes", {}))
        always = self.texts(raw, "always", ())
        if nodes is None or outcomes is None:
            return None
        return Flowchart(
            head["name"],
            head["version"],
            head["title"],
            head["start"],
            nodes,
            outcomes,
            source,
            duties or {},
            always,
            sizes,
            catalogue,
        )

    def catalogue(self, raw: dict[str, object], folder: Path) -> tuple[dict[str, Duty], str]:
        """The duty catalogue the flowchart names: beside it, else the toolkit's own."""
        if "catalogue" not in raw:
            return {}, ""
        name = self.text(raw, "catalogue", ())
        found = next((f / name for f in (folder, TOOLKIT) if name and (f / name).is_file()), None)
        if found is None:
            self.bad(
                ("catalogue",),
                f'catalogue "{name}" is neither beside the flowchart nor in the toolkit',
            )
            return {}, ""
        duties, problems = read_catalogue(found)
        self.problems.extend(f"{found.name}: {p}" for p in problems)
        return duties, str(found)

    def sizes(self, raw: object) -> dict[str, str]:
        body = self.mapping(raw, ("sizes",), "a mapping of size ids to what is proportionate")
        sizes: dict[str, str] = {}
        for size_id in body or {}:
            if not _ID.match(size_id):
                self.bad(("sizes", size_id), "size ids must be letters, digits and underscores")
            sizes[size_id] = self.text(body or {}, size_id, ("sizes",))
        return sizes

    def duty(self, duty_id: str, raw: dict[str, object], at: _At) -> Duty | None:
        self.keys(raw, _DUTY_KEYS, at)
        texts = {k: self.text(raw, k, at) for k in ("name", "law", "asks")}
        elsewhere = tuple(
            (nation, self.text(raw, key, at)) for key, nation in OTHER_NATIONS.items() if key in raw
        )
        return Duty(
            duty_id,
            texts["name"],
            texts["law"],
            texts["asks"],
            self.texts(raw, "who", at),
            self.text(raw, "timing", at, required=False),
            elsewhere,
        )

    def section(
        self,
        raw: dict[str, object],
        key: str,
        build: Callable[[str, dict[str, object], _At], _T | None],
    ) -> dict[str, _T] | None:
        entries = self.mapping(raw.get(key), (key,), f'a mapping of ids to {key} ("{key}:")')
        if entries is None:
            return None
        if not entries:
            self.bad((key,), f'"{key}" is empty')
        built: dict[str, _T] = {}
        for entry_id, body in entries.items():
            at: _At = (key, entry_id)
            if not _ID.match(entry_id):
                self.bad(at, "ids must be letters, digits and underscores, starting with a letter")
            value = self.mapping(body, at, "a mapping (question, why, ...)")
            item = build(entry_id, value, at) if value is not None else None
            if item is not None:
                built[entry_id] = item
        return built

    def catalogue_duty(self, duty_id: str, raw: dict[str, object], at: _At) -> Duty | None:
        """A duty of the catalogue: the law, where it applies, its kind, and its source."""
        self.keys(raw, _CATALOGUE_KEYS, at)
        texts = {k: self.text(raw, k, at) for k in ("name", "law", "asks")}
        nations = self.known(raw, "nations", at, NATIONS, required=True)
        kind = self.text(raw, "kind", at)
        if kind and kind not in KINDS:
            self.bad((*at, "kind"), f'kind "{kind}" is not one of {", ".join(KINDS)}')
        by_nation = {key: self.nation_map(raw, key, at) for key in ("instead", "notes", "not_here")}
        return Duty(
            duty_id,
            texts["name"],
            texts["law"],
            texts["asks"],
            self.texts(raw, "who", at),
            self.text(raw, "timing", at, required=False),
            nations=nations,
            kind=kind,
            label=self.text(raw, "label", at, required=False),
            fields=self.known(raw, "fields", at, FIELDS, required=True),
            common=self.boolean(raw, "common", at),
            always=self.boolean(raw, "always", at),
            words=self.texts(raw, "words", at),
            also=self.texts(raw, "also", at),
            instead=by_nation["instead"],
            notes=by_nation["notes"],
            not_here=by_nation["not_here"],
            source=self.source(raw.get("source"), (*at, "source")),
        )

    def known(
        self, raw: dict[str, object], key: str, at: _At, allowed: dict[str, str], required: bool
    ) -> tuple[str, ...]:
        """A list of ids from a fixed vocabulary (nations, fields)."""
        if required and not raw.get(key):
            self.bad((*at, key), f'"{key}" is missing: list one or more of {", ".join(allowed)}')
            return ()
        values = self.texts(raw, key, at)
        for value in values:
            if value not in allowed:
                self.bad((*at, key), f'"{value}" is not one of {", ".join(allowed)}')
        return tuple(v for v in values if v in allowed)

    def nation_map(self, raw: dict[str, object], key: str, at: _At) -> tuple[tuple[str, str], ...]:
        body = self.mapping(raw.get(key, {}), (*at, key), "{nation: text}") or {}
        for nation in body:
            if nation not in NATIONS:
                self.bad((*at, key, nation), f'"{nation}" is not one of {", ".join(NATIONS)}')
        return tuple((n, self.text(body, n, (*at, key))) for n in body if n in NATIONS)

    def boolean(self, raw: dict[str, object], key: str, at: _At) -> bool:
        value = raw.get(key, False)
        if not isinstance(value, bool):
            self.bad((*at, key), f'"{key}" must be true or false')
            return False
        return value

    def source(self, raw: object, at: _At) -> Source | None:
        """Where a duty was checked: legislation, guidance or memory; where; when."""
        if raw is None:
            self.bad(at, '"source" is missing: say how it was checked, where and when')
            return None
        body = self.mapping(raw, at, "{checked, where, date}")
        if body is None:
            return None
        self.keys(body, _SOURCE_KEYS, at)
        checked = self.text(body, "checked", at)
        if checked and checked not in CHECKED:
            self.bad((*at, "checked"), f'"checked" must be one of {", ".join(CHECKED)}')
        date = str(body.get("date", ""))
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
            self.bad((*at, "date"), '"date" must be the day it was checked, as YYYY-MM-DD')
        return Source(checked, self.text(body, "where", at), date)

    def offer(self, raw: object, at: _At) -> Offer | None:
        if raw is None:
            return None
        body = self.mapping(raw, at, "{common, title, search, fields, limit}")
        if body is None:
            return None
        self.keys(body, _OFFER_KEYS, at)
        limit = body.get("limit", 4)
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
            self.bad((*at, "limit"), '"limit" must be a whole number, 1 or more')
            limit = 4
        return Offer(
            common=self.boolean(body, "common", at),
            title=self.boolean(body, "title", at),
            search=self.text(body, "search", at, required=False) or None,
            fields=self.known(body, "fields", at, FIELDS, required=False),
            limit=limit,
        )

    def by_kind(self, raw: dict[str, object], at: _At) -> tuple[tuple[str, str], ...]:
        body = self.mapping(raw.get("by_kind", {}), (*at, "by_kind"), "{kind: next}") or {}
        for kind in body:
            if kind not in KINDS:
                self.bad((*at, "by_kind", kind), f'kind "{kind}" is not one of {", ".join(KINDS)}')
        return tuple((k, self.text(body, k, (*at, "by_kind"))) for k in body)

    def node(self, node_id: str, raw: dict[str, object], at: _At) -> Node | None:
        self.keys(raw, _NODE_KEYS, at)
        question, why = self.text(raw, "question", at), self.text(raw, "why", at)
        if "input" in raw or ("next" in raw and "answers" not in raw):
            return self.text_node(node_id, raw, at, question, why)
        if "next" in raw:
            self.bad((*at, "next"), 'a question with answers has no "next"; each answer has one')
        answers = raw.get("answers")
        if not isinstance(answers, list) or not answers:
            self.bad(
                (*at, "answers"), "has no answers: list at least one, each with label and next"
            )
            return Node(node_id, question, why, ())
        parsed = [self.answer(a, (*at, "answers", i)) for i, a in enumerate(answers)]
        found = tuple(a for a in parsed if a is not None)
        self.unique_labels(found, at)
        offer = self.offer(raw.get("offer"), (*at, "offer"))
        by_kind = self.by_kind(raw, at)
        if (offer is None) != (not by_kind):
            self.bad(at, 'a question offering duties needs both "offer" and "by_kind"')
        return Node(
            node_id,
            question,
            why,
            found,
            search_register=self.flag(raw, at),
            offer=offer,
            by_kind=by_kind,
        )

    def flag(self, raw: dict[str, object], at: _At, name: str = "search_register") -> bool:
        value = raw.get(name, False)
        if not isinstance(value, bool):
            self.bad((*at, name), f'"{name}" must be true or false')
            return False
        return value

    def text_node(
        self, node_id: str, raw: dict[str, object], at: _At, question: str, why: str
    ) -> Node:
        wanted = raw.get("input")
        if wanted not in (*INPUTS, WORDS):
            known = ", ".join(INPUTS)
            self.bad((*at, "input"), f'input "{wanted}" is not a register field ({known})')
        if "answers" in raw:
            self.bad((*at, "answers"), "a text node (with input) takes typed text, not answers")
        target = self.text(raw, "next", at, required=False)
        if not target:
            self.bad((*at, "next"), 'a text node needs a "next" to go to after the answer')
        return Node(node_id, question, why, (), str(wanted), target or None, self.flag(raw, at))

    def answer(self, raw: object, at: _At) -> Answer | None:
        body = self.mapping(raw, at, f"answer {int(at[-1]) + 1}: a mapping with label and next")
        if body is None:
            return None
        self.keys(body, _ANSWER_KEYS, at)
        label, target = self.text(body, "label", at), self.text(body, "next", at)
        if label.casefold() in (*BACK, *RESTART):
            self.bad((*at, "label"), f'answer "{label}" clashes with the walk command "{label}"')
        collect = self.collect(body.get("collect"), (*at, "collect"), label)
        size = self.text(body, "size", at, required=False) or None
        duties = self.texts(body, "duties", at)
        return Answer(label, target, collect, duties, size, self.flag(body, at, "way_out"))

    def collect(self, raw: object, at: _At, label: str) -> tuple[tuple[str, str], ...]:
        if raw is None:
            return ()
        body = self.mapping(raw, at, f'answer "{label}": collect as {{field: value}}')
        if body is None:
            return ()
        pairs: list[tuple[str, str]] = []
        for key, value in body.items():
            if key not in REGISTER_FIELDS:
                fields = ", ".join(REGISTER_FIELDS)
                self.bad((*at, key), f'answer "{label}" collects "{key}", not one of {fields}')
            pairs.append((key, str(value).lower() if isinstance(value, bool) else str(value)))
        return tuple(pairs)

    def unique_labels(self, answers: tuple[Answer, ...], at: _At) -> None:
        seen: set[str] = set()
        for answer in answers:
            key = _norm(answer.label)
            if key in seen:
                self.bad(at, f'answer "{answer.label}" appears twice')
            seen.add(key)

    def outcome(self, outcome_id: str, raw: dict[str, object], at: _At) -> Outcome | None:
        self.keys(raw, _OUTCOME_KEYS, at)
        level = self.text(raw, "level", at)
        if level and level not in {**LEVELS, **STATUTORY}:
            known = ", ".join({**LEVELS, **STATUTORY})
            self.bad((*at, "level"), f'level "{level}" is not one of {known}')
        process = self.text(raw, "process", at, required=False)
        if process and process not in KINDS:
            self.bad((*at, "process"), f'process "{process}" is not one of {", ".join(KINDS)}')
        title, why = self.text(raw, "title", at), self.text(raw, "why", at)
        steps = self.texts(raw, "next_steps", at)
        methods, by_size = self.methods(raw, at)
        register = self.mapping(raw.get("register", {}), (*at, "register"), "{field: value}")
        for key in register or {}:
            if key not in REGISTER_FIELDS:
                self.bad((*at, "register", key), f'register field "{key}" is unknown')
        afterwards = self.texts(raw, "afterwards", at)
        return Outcome(
            outcome_id,
            level,
            title,
            why,
            steps,
            methods,
            dict(register or {}),
            by_size,
            afterwards,
            process,
            self.known(raw, "nations", at, NATIONS, required=False),
        )

    def methods(
        self, raw: dict[str, object], at: _At
    ) -> tuple[tuple[str, ...], dict[str, tuple[str, ...]]]:
        """A list of methods, or {size id: [methods]} when they scale with the change."""
        value = raw.get("methods")
        if not isinstance(value, dict):
            return self.texts(raw, "methods", at), {}
        by_size = self.mapping(value, (*at, "methods"), "{size id: [methods]}") or {}
        return (), {size: self.texts(by_size, size, (*at, "methods")) for size in by_size}


_Problem: TypeAlias = tuple[_At, str]  # where in the file (for its line number), and what


def _graph_problems(chart: Flowchart) -> list[_Problem]:
    """Faults of the flowchart as a graph: bad targets, orphans, loops, dead ends."""
    problems: list[_Problem] = [
        (("outcomes", i), f'id "{i}" is both a node and an outcome')
        for i in chart.nodes
        if i in chart.outcomes
    ]
    problems += _unknown_targets(chart)
    if chart.start in chart.nodes:
        problems += _unreachable(chart)
    elif chart.start:
        what = (
            "an outcome: it must be a question"
            if chart.is_outcome(chart.start)
            else (f"not a node (nodes: {', '.join(chart.nodes)})")
        )
        problems.append((("start",), f'start "{chart.start}" is {what}'))
    problems += _loops(chart)
    problems += _dead_ends(chart)
    problems += _unknown_duties_and_sizes(chart)
    problems += _size_coverage(chart)
    problems += _offer_problems(chart)
    if chart.start in chart.nodes:
        problems += _sizeless_methods(chart)
        problems += _unreachable_in_nations(chart)
    return problems


def eligible(chart: Flowchart, node: Node, nation: str) -> list[Duty]:
    """The catalogue duties a law question may offer in `nation` (its fields, or all but the
    reserved ones)."""
    if node.offer is None:
        return []
    wanted = node.offer.fields
    return [
        d
        for d in chart.duties.values()
        if d.kind
        and (d.common or d.words)  # offered, or found by a search
        and d.applies_in(nation)
        and (set(d.fields) & set(wanted) if wanted else not set(d.fields) <= set(RESERVED_FIELDS))
    ]


def _offer_problems(chart: Flowchart) -> list[_Problem]:
    """A law question must route every kind of duty it may offer, and search a text node."""
    problems: list[_Problem] = []
    for node in chart.nodes.values():
        if node.offer is None:
            continue
        at: _At = ("nodes", node.id, "offer")
        search_node = chart.nodes.get(node.offer.search or "")
        if node.offer.search and (search_node is None or search_node.input is None):
            problems.append(
                (
                    (*at, "search"),
                    f'node "{node.id}": search "{node.offer.search}" is not a text node',
                )
            )
        routes = dict(node.by_kind)
        for nation in NATIONS:
            for duty in eligible(chart, node, nation):
                if duty.kind not in routes:
                    problems.append(
                        (
                            ("nodes", node.id, "by_kind"),
                            f'node "{node.id}" may offer duty "{duty.id}" ({KINDS[duty.kind]}), '
                            "but by_kind has no way on for that kind",
                        )
                    )
                    routes[duty.kind] = ""  # said once
    return problems


def _unreachable_in_nations(chart: Flowchart) -> list[_Problem]:
    """Every outcome must be reachable in every nation it is meant for (all, unless it says)."""
    problems: list[_Problem] = []
    for nation, name in NATIONS.items():
        seen = _reach(chart.start, {n: set(_edges_in(chart, n, nation)) for n in chart.nodes})
        for out in chart.outcomes.values():
            if out.id not in seen and (not out.nations or nation in out.nations):
                problems.append(
                    (
                        ("outcomes", out.id),
                        f'outcome "{out.id}" cannot be reached in {name}: no answer or duty '
                        f"there leads to it (if it is not meant for {name}, list its nations)",
                    )
                )
    return problems


def _edges_in(chart: Flowchart, node_id: str, nation: str) -> tuple[str, ...]:
    """Where a node can lead in one nation: its fixed answers, and the kinds of duty it offers."""
    node = chart.nodes.get(node_id)
    if node is None:
        return ()
    if node.offer is None:
        return _edges(chart, node_id)
    routes = dict(node.by_kind)
    kinds = {d.kind for d in eligible(chart, node, nation)}
    targets = [a.next for a in node.answers] + [routes[k] for k in kinds if k in routes]
    return tuple(t for t in dict.fromkeys(targets) if _known(chart, t))


def _unknown_duties_and_sizes(chart: Flowchart) -> list[_Problem]:
    """Every duty and size that `always` or an answer names must be defined."""
    problems: list[_Problem] = [
        (("always",), f'always names duty "{d}", which is not under duties')
        for d in chart.always
        if d not in chart.duties
    ]
    for node in chart.nodes.values():
        for i, answer in enumerate(node.answers):
            at: _At = ("nodes", node.id, "answers", i)
            problems += [
                (
                    (*at, "duties"),
                    f'node "{node.id}": answer "{answer.label}" names duty "{d}", '
                    "which is not under duties",
                )
                for d in answer.duties
                if d not in chart.duties
            ]
            if answer.size is not None and answer.size not in chart.sizes:
                problems.append(
                    (
                        (*at, "size"),
                        f'node "{node.id}": answer "{answer.label}" sets size '
                        f'"{answer.size}", which is not under sizes',
                    )
                )
    return problems


def _size_coverage(chart: Flowchart) -> list[_Problem]:
    """Methods by size must cover every size, and only the sizes defined."""
    problems: list[_Problem] = []
    for out in chart.outcomes.values():
        if not out.methods_by_size:
            continue
        at = ("outcomes", out.id, "methods")
        missing = [s for s in chart.sizes if s not in out.methods_by_size]
        unknown = [s for s in out.methods_by_size if s not in chart.sizes]
        if missing:
            problems.append(
                (at, f'outcome "{out.id}": methods for size {", ".join(missing)} are missing')
            )
        if unknown:
            problems.append(
                (
                    at,
                    f'outcome "{out.id}": methods for size {", ".join(unknown)}, '
                    "which is not under sizes",
                )
            )
    return problems


def _sizeless_methods(chart: Flowchart) -> list[_Problem]:
    """Outcomes with methods by size must only be reached after an answer that sets a size."""
    seen, todo = {chart.start}, [chart.start]
    while todo:
        node = chart.nodes.get(todo.pop())
        if node is None:
            continue
        onward = [node.next] if node.next else [a.next for a in node.answers if a.size is None]
        for target in onward:
            if target and target not in seen and _known(chart, target):
                seen.add(target)
                todo.append(target)
    return [
        (
            ("outcomes", o.id, "methods"),
            f'outcome "{o.id}" lists methods by size, but a walk '
            "can reach it without an answer that sets the size",
        )
        for o in chart.outcomes.values()
        if o.methods_by_size and o.id in seen
    ]


def _edges(chart: Flowchart, node_id: str) -> tuple[str, ...]:
    node = chart.nodes.get(node_id)
    if node is None:
        return ()
    return tuple(t for t in node.targets() if _known(chart, t))


def _unknown_targets(chart: Flowchart) -> list[_Problem]:
    problems: list[_Problem] = []
    for node in chart.nodes.values():
        at: _At = ("nodes", node.id)
        for kind, target in node.by_kind:
            if not _known(chart, target):
                problems.append(
                    (
                        (*at, "by_kind", kind),
                        f'node "{node.id}": by_kind {kind} leads to "{target}", '
                        "which does not exist",
                    )
                )
        if node.next is not None and not _known(chart, node.next):
            problems.append(((*at, "next"), f'node "{node.id}": next "{node.next}" does not exist'))
        for i, answer in enumerate(node.answers):
            if not _known(chart, answer.next):
                problems.append(
                    (
                        (*at, "answers", i, "next"),
                        f'node "{node.id}": answer "{answer.label}" leads to "{answer.next}" '
                        "which does not exist",
                    )
                )
    return problems


def _known(chart: Flowchart, target: str) -> bool:
    return target in chart.nodes or target in chart.outcomes


def _reach(start: str, edges: dict[str, set[str]]) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        for nxt in edges.get(todo.pop(), set()) - seen:
            seen.add(nxt)
            todo.append(nxt)
    return seen


def _unreachable(chart: Flowchart) -> list[_Problem]:
    forward = {n: set(_edges(chart, n)) for n in chart.nodes}
    seen = _reach(chart.start, forward)
    return [
        ((section, i), f'{kind} "{i}" cannot be reached from start "{chart.start}"')
        for section, kind, ids in (
            ("nodes", "node", chart.nodes),
            ("outcomes", "outcome", chart.outcomes),
        )
        for i in ids
        if i not in seen
    ]


def _dead_ends(chart: Flowchart) -> list[_Problem]:
    backward: dict[str, set[str]] = {}
    for node_id in chart.nodes:
        for target in _edges(chart, node_id):
            backward.setdefault(target, set()).add(node_id)
    ends: set[str] = set()
    for outcome_id in chart.outcomes:
        ends |= _reach(outcome_id, backward)
    return [
        (("nodes", n), f'node "{n}" is a dead end: no outcome can be reached from it')
        for n in chart.nodes
        if n not in ends
    ]


def _loops(chart: Flowchart) -> list[_Problem]:
    """Each loop once, found as an edge back to a node still on the depth-first path."""
    done: set[str] = set()
    problems: list[_Problem] = []
    for root in chart.nodes:
        if root in done:
            continue
        path: list[str] = [root]
        todo: list[Iterator[str]] = [iter(_edges(chart, root))]
        while todo:
            nxt = next(todo[-1], None)
            if nxt is None:
                done.add(path.pop())
                todo.pop()
            elif nxt in path:
                cycle = " → ".join([*path[path.index(nxt) :], nxt])
                message = (
                    f'node "{path[-1]}" leads back to "{nxt}", a loop ({cycle}): '
                    "a flowchart must not loop, so that every walk ends"
                )
                problems.append((("nodes", path[-1]), message))
            elif nxt not in done:
                path.append(nxt)
                todo.append(iter(_edges(chart, nxt)))
    return problems


# ---------------------------------------------------------------- diagram


def to_mermaid(chart: Flowchart) -> str:
    """A Mermaid "flowchart TD" for the engagement team to review the toolkit.

    Diagram ids are the chart's ids with a q_/o_ prefix: stable between runs, and never a
    Mermaid keyword such as "end".
    """
    lines = ["flowchart TD"]
    for node in chart.nodes.values():
        shape = f'[/"{_esc(node.question)}"/]' if node.input else f'{{"{_esc(node.question)}"}}'
        lines.append(f"    q_{node.id}{shape}")
    for out in chart.outcomes.values():
        lines.append(f'    o_{out.id}["{_esc(out.title)}<br/>{_esc(out.level_words)}"]')
        lines.append(f"    class o_{out.id} {out.level}")
    for node in chart.nodes.values():
        if node.next is not None:
            lines.append(
                f'    q_{node.id} -->|"{_esc(node.input or "")}"| {_diagram_id(chart, node.next)}'
            )
        for answer in node.answers:
            target = _diagram_id(chart, answer.next)
            lines.append(f'    q_{node.id} -->|"{_esc(answer.label)}"| {target}')
        for kind, target in node.by_kind:
            label = _esc(f"a duty: {KINDS.get(kind, kind)}")
            lines.append(f'    q_{node.id} -->|"{label}"| {_diagram_id(chart, target)}')
    lines += [
        "    classDef inform fill:#e8f0fe",
        "    classDef consult fill:#fff4d6",
        "    classDef involve fill:#e4f5e9",
        "    classDef empower fill:#f3e5f5",
        "    classDef statutory fill:#eeeeee",
    ]
    return "\n".join(lines) + "\n"


def _diagram_id(chart: Flowchart, target: str) -> str:
    return f"o_{target}" if chart.is_outcome(target) else f"q_{target}"


def _esc(text: str) -> str:
    """Mermaid labels are in double quotes; entity codes keep quotes and brackets literal."""
    return text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


# ---------------------------------------------------------------- walking


@dataclass(frozen=True)
class WalkState:
    node: str  # current node id, or the outcome id when finished
    path: tuple[tuple[str, str], ...] = ()  # (node id, answer label or the text typed)
    collected: tuple[tuple[str, str], ...] = ()  # (register field, value)
    nation: str = ""  # the council's nation (a NATIONS key); "" is taken as England


def begin(chart: Flowchart, nation: str = "") -> WalkState:
    return WalkState(chart.start, nation=nation)


def nation_of(state: WalkState) -> str:
    return state.nation if state.nation in NATIONS else DEFAULT_NATION


def answers_at(chart: Flowchart, state: WalkState, node: Node) -> tuple[Answer, ...]:
    """A question's answers in this walk: the duties it offers for the nation, then its own."""
    if node.offer is None:
        return node.answers
    routes = dict(node.by_kind)
    own = {_norm(a.label) for a in node.answers}
    offered = [
        Answer(d.button(), routes[d.kind], duties=(d.id,))
        for d in offered_duties(chart, state, node)
        if d.kind in routes and _norm(d.button()) not in own
    ]
    return (*offered, *node.answers)


def offered_duties(chart: Flowchart, state: WalkState, node: Node) -> list[Duty]:
    """The duties a law question offers: those the officer's words point to, then the common."""
    offer = node.offer
    if offer is None:
        return []
    nation = nation_of(state)
    pool = eligible(chart, node, nation)
    title = collected(state).get("title", "")
    found: list[Duty] = []
    if offer.search:
        typed = " ".join(said for node_id, said in state.path if node_id == offer.search)
        found += search(pool, f"{typed} {title}", nation, limit=offer.limit)
    found += title_matches(chart, state, node)
    if offer.common:
        found += [d for d in pool if d.common]
    return list({d.id: d for d in found}.values())


def title_matches(chart: Flowchart, state: WalkState, node: Node) -> list[Duty]:
    """The duties a law question offers because the walk's title points to them."""
    if node.offer is None or not node.offer.title:
        return []
    pool = eligible(chart, node, nation_of(state))
    title = collected(state).get("title", "")
    return search(pool, title, nation_of(state), limit=node.offer.limit)


def searched_text(chart: Flowchart, state: WalkState) -> str:
    """What the officer said of the change: the title, and anything typed for a law search."""
    searched = {n.offer.search for n in chart.nodes.values() if n.offer and n.offer.search}
    typed = [said for node_id, said in state.path if node_id in searched]
    return " ".join([collected(state).get("title", ""), *typed])


def current_node(chart: Flowchart, state: WalkState) -> Node | None:
    return chart.nodes.get(state.node)


def outcome_of(chart: Flowchart, state: WalkState) -> Outcome | None:
    return chart.outcomes.get(state.node)


def collected(state: WalkState) -> dict[str, str]:
    """Register fields gathered so far; a later answer for a field wins."""
    return dict(state.collected)


def _chosen(chart: Flowchart, state: WalkState) -> Iterator[Answer]:
    """The answers picked on the way (typed answers have none)."""
    for node_id, said in state.path:
        node = chart.nodes.get(node_id)
        answers = answers_at(chart, state, node) if node else ()
        yield from (a for a in answers if a.label == said)


def duties_of(chart: Flowchart, state: WalkState) -> tuple[Duty, ...]:
    """What the law of the walk's nation asks: the duties the answers chose (and those they
    bring in), then the ones every ending shows. A duty that does not apply in the nation is
    replaced by the one that does there, if the catalogue names it, else left out."""
    nation = nation_of(state)
    found: dict[str, Duty] = {}

    def add(duty_id: str) -> None:
        duty = chart.duties.get(duty_id)
        if duty is None or duty.id in found:
            return
        if not duty.applies_in(nation):
            other = dict(duty.instead).get(nation)
            if other:
                add(other)
            return
        found[duty.id] = duty
        for more in duty.also:
            add(more)

    for duty_id in [d for a in _chosen(chart, state) for d in a.duties]:
        add(duty_id)
    for duty_id in chart.always_in(nation):
        add(duty_id)
    return tuple(found.values())


def not_here(chart: Flowchart, state: WalkState, limit: int = 3) -> tuple[Duty, ...]:
    """Duties the walk brought in or its words point to that do not apply in its nation."""
    nation = nation_of(state)
    chosen = [chart.duties[d] for a in _chosen(chart, state) for d in a.duties if d in chart.duties]
    pointed = search(chart.duties.values(), searched_text(chart, state), None, limit=8)
    applying = {d.id for d in duties_of(chart, state)}
    # a duty the nation has its own version of (the same button) is not "not here"
    own = {_norm(d.button()) for d in chart.duties.values() if d.applies_in(nation)}
    away = [
        d
        for d in [*chosen, *pointed]
        if d.kind
        and not d.applies_in(nation)
        and dict(d.instead).get(nation) not in applying
        and _norm(d.button()) not in own
    ]
    return tuple({d.id: d for d in away}.values())[:limit]


def size_of(chart: Flowchart, state: WalkState) -> str | None:
    """The size of the change, as the last answer that set one said."""
    sizes = [a.size for a in _chosen(chart, state) if a.size is not None]
    return sizes[-1] if sizes else None


def remaining(chart: Flowchart, node_id: str) -> int:
    """Questions left from node_id, on the longest way to an outcome (0 at an outcome).

    "Question 3 of about 15" is the answers so far plus this: an upper estimate, since the
    chart has no loops.
    """
    longest: dict[str, int] = {}

    def depth(at: str) -> int:
        if at not in chart.nodes:
            return 0
        if at not in longest:
            longest[at] = 1 + max((depth(t) for t in _edges(chart, at)), default=0)
        return longest[at]

    return depth(node_id)


def step(chart: Flowchart, state: WalkState, answer: str) -> WalkState:
    """The state after one answer: a label, its number, a unique start of it, or typed text.

    "back" undoes the last answer and "start again" begins afresh, at any point.
    """
    said = _norm(answer)
    if said in RESTART:
        return begin(chart, state.nation)
    if said in BACK:
        return _back(chart, state)
    node = current_node(chart, state)
    if node is None and chart.is_outcome(state.node):
        raise WalkError(
            'This walk has finished. Say "back" to change the last answer, or "start again".'
        )
    if node is None:
        raise WalkError(_CHANGED)
    if node.input is not None:
        typed = answer.strip()
        if not typed:
            raise WalkError(f'Please type an answer, or "skip" to leave it blank. {node.question}')
        if said in SKIP_ALL and node.input in DETAILS:
            return _skip_details(chart, state)
        return _advance(chart, state, node, typed)
    return _advance(chart, state, node, _match(answers_at(chart, state, node), said, answer).label)


def _skip_details(chart: Flowchart, state: WalkState) -> WalkState:
    """Skip this register detail and those straight after it (each recorded as "skip")."""
    node = current_node(chart, state)
    while node is not None and node.input in DETAILS:
        state = _advance(chart, state, node, SKIP[0])
        node = current_node(chart, state)
    return state


def _advance(chart: Flowchart, state: WalkState, node: Node, said: str) -> WalkState:
    """Move on from node with a label (already matched) or typed text."""
    gathered: tuple[tuple[str, str], ...]
    if node.input is not None:
        kept = node.input != WORDS and _norm(said) not in SKIP
        gathered = ((node.input, said),) if kept else ()
        target = node.next or ""
    else:
        chosen = next(a for a in answers_at(chart, state, node) if a.label == said)
        gathered, target = chosen.collect, chosen.next
    return replace(
        state,
        node=target,
        path=(*state.path, (node.id, said)),
        collected=(*state.collected, *gathered),
    )


def _back(chart: Flowchart, state: WalkState) -> WalkState:
    """Replay all but the last answer, so anything that answer collected is dropped too."""
    if not state.path:
        raise WalkError("This is the first question, so there is nothing to go back to.")
    replayed = begin(chart, state.nation)
    for node_id, said in state.path[:-1]:
        node = chart.nodes.get(node_id)
        known = node is not None and (
            node.input or any(a.label == said for a in answers_at(chart, replayed, node))
        )
        if node is None or not known or replayed.node != node_id:
            raise WalkError(_CHANGED)
        replayed = _advance(chart, replayed, node, said)
    return replayed


# A stored walk can outlive the file it began with, when a council replaces its flowchart.
_CHANGED = 'The flowchart has changed since this walk began, so please say "start again".'


def _match(answers: tuple[Answer, ...], said: str, raw: str) -> Answer:
    labels = [_norm(a.label) for a in answers]
    if said in labels:
        return answers[labels.index(said)]
    if said.isascii() and said.isdigit() and 1 <= int(said) <= len(answers):
        return answers[int(said) - 1]
    starts = [a for a, label in zip(answers, labels, strict=True) if label.startswith(said)]
    if said and len(starts) == 1:
        return starts[0]
    options = "; ".join(f'{i}. "{a.label}"' for i, a in enumerate(answers, 1))
    if said and len(starts) > 1:
        could = " or ".join(f'"{a.label}"' for a in starts)
        raise WalkError(f'"{raw.strip()}" could mean {could}. Please pick one: {options}.')
    raise WalkError(
        f'I didn\'t understand "{raw.strip()}". Please answer one of: {options} '
        '(the number is fine), or say "back" or "start again".'
    )


def _norm(text: str) -> str:
    """Compare answers the way people type them: any case, curly quotes, a trailing full stop."""
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return " ".join(text.casefold().split()).rstrip(".!")
