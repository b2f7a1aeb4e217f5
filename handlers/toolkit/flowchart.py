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

# The two vocabularies of one ladder (the Halton health check words).
LEVELS = {
    "inform": "Information giving",
    "consult": "Consultation",
    "involve": "Deciding together",
    "empower": "Acting together",
}

DEFAULT_PATH = Path(__file__).parent / "consult_or_engage.yaml"

# What a text node may ask for: the engagement register fields typed as free text.
INPUTS = ("title", "audience", "area", "budget", "start", "end")
# What answers' `collect` and outcomes' `register` may fill in.
REGISTER_FIELDS = (*INPUTS, "legal_advice", "significance")

BACK = ("back", "go back", "undo")
RESTART = ("start again", "restart", "start over")
SKIP = ("skip", "-")  # at a text node: leave the register field blank

_ID = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
# The other UK nations, where a duty's law differs from England's (the key, then its name).
NATIONS = {"wales": "Wales", "scotland": "Scotland", "northern_ireland": "Northern Ireland"}

_TOP_KEYS = {
    "name", "version", "title", "start", "nodes", "outcomes", "description",
    "duties", "always", "sizes",
}  # fmt: skip
_NODE_KEYS = {"question", "why", "answers", "input", "next", "notes", "search_register"}
_ANSWER_KEYS = {"label", "next", "collect", "duties", "size"}
_OUTCOME_KEYS = {
    "level", "title", "why", "next_steps", "methods", "afterwards", "register", "notes",
}  # fmt: skip
_DUTY_KEYS = {"name", "law", "asks", "who", "timing", "notes", *NATIONS}

_At: TypeAlias = tuple[str | int, ...]  # where a value sits in the YAML document, for line numbers


@dataclass(frozen=True)
class Answer:
    label: str
    next: str
    # Register fields this answer fills in, e.g. (("significance", "whole borough"),).
    collect: tuple[tuple[str, str], ...] = ()
    duties: tuple[str, ...] = ()  # duty ids this answer brings in
    size: str | None = None  # the size id this answer sets, for proportionate methods


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

    def targets(self) -> tuple[str, ...]:
        """Every node or outcome id this node can lead to."""
        return (self.next,) if self.next is not None else tuple(a.next for a in self.answers)


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

    @property
    def level_words(self) -> str:
        """Both ladders' words, e.g. "Consult (consultation)"."""
        return f"{self.level.capitalize()} ({LEVELS[self.level].lower()})"

    def methods_for(self, size: str | None) -> tuple[str, ...]:
        """The methods that suit a change of this size (the checker ensures size is known)."""
        if size is not None and size in self.methods_by_size:
            return self.methods_by_size[size]
        return self.methods


@dataclass(frozen=True)
class Duty:
    """What a law (or the courts' fairness rules) asks before deciding: shown at the end."""

    id: str
    name: str
    law: str
    asks: str
    who: tuple[str, ...] = ()  # who must be consulted
    timing: str = ""
    elsewhere: tuple[tuple[str, str], ...] = ()  # (nation name, how its law differs)


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

    def is_outcome(self, node_id: str) -> bool:
        return node_id in self.outcomes


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
        lines, duplicates = _lines(yaml.compose(text, Loader=yaml.SafeLoader))
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        return None, [_yaml_problem(text, err)]
    reader = _Reader(lines)
    reader.problems.extend(duplicates)
    chart = reader.chart(data, source)
    if chart is not None:
        for at, message in _graph_problems(chart):
            reader.problems.append(message + _line(lines, at))
    return chart, reader.problems


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

    def chart(self, data: object, source: str) -> Flowchart | None:
        raw = self.mapping(data, (), "a mapping with name, version, start, nodes and outcomes")
        if raw is None:
            return None
        self.keys(raw, _TOP_KEYS, ())
        head = {k: self.text(raw, k, ()) for k in ("name", "version", "title", "start")}
        nodes = self.section(raw, "nodes", self.node)
        outcomes = self.section(raw, "outcomes", self.outcome)
        duties = self.section(raw, "duties", self.duty) if "duties" in raw else {}
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
        )

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
            (nation, self.text(raw, key, at)) for key, nation in NATIONS.items() if key in raw
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
        return Node(node_id, question, why, found, search_register=self.flag(raw, at))

    def flag(self, raw: dict[str, object], at: _At) -> bool:
        value = raw.get("search_register", False)
        if not isinstance(value, bool):
            self.bad((*at, "search_register"), '"search_register" must be true or false')
            return False
        return value

    def text_node(
        self, node_id: str, raw: dict[str, object], at: _At, question: str, why: str
    ) -> Node:
        wanted = raw.get("input")
        if wanted not in INPUTS:
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
        return Answer(label, target, collect, self.texts(body, "duties", at), size)

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
        if level and level not in LEVELS:
            self.bad((*at, "level"), f'level "{level}" is not one of {", ".join(LEVELS)}')
        title, why = self.text(raw, "title", at), self.text(raw, "why", at)
        steps = self.texts(raw, "next_steps", at)
        methods, by_size = self.methods(raw, at)
        register = self.mapping(raw.get("register", {}), (*at, "register"), "{field: value}")
        for key in register or {}:
            if key not in REGISTER_FIELDS:
                self.bad((*at, "register", key), f'register field "{key}" is unknown')
        afterwards = self.texts(raw, "afterwards", at)
        return Outcome(
            outcome_id, level, title, why, steps, methods, dict(register or {}), by_size, afterwards
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
    if chart.start in chart.nodes:
        problems += _sizeless_methods(chart)
    return problems


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
    lines += [
        "    classDef inform fill:#e8f0fe",
        "    classDef consult fill:#fff4d6",
        "    classDef involve fill:#e4f5e9",
        "    classDef empower fill:#f3e5f5",
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


def begin(chart: Flowchart) -> WalkState:
    return WalkState(chart.start)


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
        yield from (a for a in (node.answers if node else ()) if a.label == said)


def duties_of(chart: Flowchart, state: WalkState) -> tuple[Duty, ...]:
    """What the law asks of this walk: the chart's `always` duties, then those answers chose."""
    ids = [*chart.always, *(d for a in _chosen(chart, state) for d in a.duties)]
    return tuple(chart.duties[d] for d in dict.fromkeys(ids) if d in chart.duties)


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
        return begin(chart)
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
        return _advance(chart, state, node, typed)
    return _advance(chart, state, node, _match(node, said, answer).label)


def _advance(chart: Flowchart, state: WalkState, node: Node, said: str) -> WalkState:
    """Move on from node with a label (already matched) or typed text."""
    gathered: tuple[tuple[str, str], ...]
    if node.input is not None:
        gathered = () if _norm(said) in SKIP else ((node.input, said),)
        target = node.next or ""
    else:
        chosen = next(a for a in node.answers if a.label == said)
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
    replayed = begin(chart)
    for node_id, said in state.path[:-1]:
        node = chart.nodes.get(node_id)
        known = node is not None and (node.input or any(a.label == said for a in node.answers))
        if node is None or not known or replayed.node != node_id:
            raise WalkError(_CHANGED)
        replayed = _advance(chart, replayed, node, said)
    return replayed


# A stored walk can outlive the file it began with, when a council replaces its flowchart.
_CHANGED = 'The flowchart has changed since this walk began, so please say "start again".'


def _match(node: Node, said: str, raw: str) -> Answer:
    labels = [_norm(a.label) for a in node.answers]
    if said in labels:
        return node.answers[labels.index(said)]
    if said.isascii() and said.isdigit() and 1 <= int(said) <= len(node.answers):
        return node.answers[int(said) - 1]
    starts = [a for a, label in zip(node.answers, labels, strict=True) if label.startswith(said)]
    if said and len(starts) == 1:
        return starts[0]
    options = "; ".join(f'{i}. "{a.label}"' for i, a in enumerate(node.answers, 1))
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
