"""The health check's guidance as data (healthcheck.yaml), checked, and its questions in order.

The format is described at the top of handlers/toolkit/healthcheck.yaml. `load` refuses a file
with any fault (a score without guidance, an unknown level) so that every question can be asked
with its four options. `questions` lists the check one question at a time: for each level, its
examples, then a score on each dimension that applies to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

import yaml

from handlers.language.quantities import plural
from handlers.toolkit.flowchart import LEVELS

DEFAULT_PATH = Path(__file__).parent / "healthcheck.yaml"
_TOP_KEYS = {"name", "version", "intro", "examples", "scale", "levels", "dimensions"}
_DIMENSION_KEYS = {"title", "not_for", "scores", "for"}


@dataclass(frozen=True)
class Level:
    id: str
    title: str
    description: str


@dataclass(frozen=True)
class Dimension:
    id: str
    title: str
    scores: dict[int, str]  # score -> guidance
    not_for: frozenset[str] = frozenset()
    by_level: tuple[tuple[str, tuple[tuple[int, str], ...]], ...] = ()  # a level's own guidance

    def applies_to(self, level: str) -> bool:
        return level not in self.not_for

    def guidance(self, level: str) -> dict[int, str]:
        """The guidance for each score, for one level."""
        own = dict(self.by_level).get(level)
        return dict(own) if own is not None else self.scores


@dataclass(frozen=True)
class Guidance:
    name: str
    version: str
    intro: str
    examples: int
    scale: dict[int, str]  # e.g. {1: "Poor performing", 4: "High performing"}
    levels: tuple[Level, ...]
    dimensions: tuple[Dimension, ...]

    @property
    def top(self) -> int:
        return max(self.scale)

    def level(self, level_id: str) -> Level:
        return next(level for level in self.levels if level.id == level_id)

    def dimension(self, dimension_id: str) -> Dimension:
        return next(d for d in self.dimensions if d.id == dimension_id)

    def score_words(self, score: int) -> str:
        """ "1 (poor performing)", or just "2" between the ends of the scale."""
        words = self.scale.get(score)
        return f"{score} ({words.lower()})" if words else str(score)


@dataclass(frozen=True)
class Question:
    """One question of the check; its key is where its answer is kept ("consult.depth")."""

    key: str
    level: str
    kind: Literal["example", "score"]
    dimension: str = ""  # for a score
    number: int = 0  # for an example: 1, 2…


def questions(guidance: Guidance) -> list[Question]:
    """Every question of the check, in the order it is asked."""
    found: list[Question] = []
    for level in guidance.levels:
        found += [
            Question(f"{level.id}.example.{n}", level.id, "example", number=n)
            for n in range(1, guidance.examples + 1)
        ]
        found += [
            Question(f"{level.id}.{d.id}", level.id, "score", dimension=d.id)
            for d in guidance.dimensions
            if d.applies_to(level.id)
        ]
    return found


class GuidanceError(ValueError):
    """A guidance file that cannot be used; `problems` lists every fault found."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.problems = problems
        lines = "\n".join(f"- {p}" for p in problems)
        count = len(problems)
        super().__init__(
            f"The health check guidance {source} has {plural(count, 'problem')}:\n{lines}"
        )


@cache
def load(path: Path | None = None) -> Guidance:
    """Read and check the guidance (the built-in Halton guidance when path is None)."""
    source = path or DEFAULT_PATH
    guidance, problems = _read(source)
    if problems or guidance is None:
        raise GuidanceError(str(source), problems)
    return guidance


def check(path: Path) -> list[str]:
    """Every problem in a guidance file; [] when it is sound."""
    return _read(path)[1]


def _read(path: Path) -> tuple[Guidance | None, list[str]]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as err:
        return None, [f"cannot read the file: {err}"]
    except yaml.YAMLError as err:
        return None, [f"YAML syntax error: {err}"]
    reader = _Reader()
    guidance = reader.guidance(data)
    return guidance, reader.problems


class _Reader:
    """Turns parsed YAML into Guidance, noting every problem instead of stopping at one."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def text(self, raw: dict[str, object], key: str, where: str) -> str:
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            self.problems.append(f'{where}: "{key}" must be text, and not empty')
            return ""
        return " ".join(value.split())

    def mapping(self, value: object, where: str) -> dict[object, object]:
        if isinstance(value, dict) and value:
            return value
        self.problems.append(f"{where}: should be a mapping, and not empty")
        return {}

    def unknown(self, raw: dict[object, object], allowed: set[str], where: str) -> None:
        for key in raw:
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                self.problems.append(f'{where}: unknown key "{key}" (known keys: {known})')

    def guidance(self, data: object) -> Guidance | None:
        raw = self.mapping(data, "the file")
        self.unknown(raw, _TOP_KEYS, "the file")
        top = {str(k): v for k, v in raw.items()}
        name, version, intro = (
            self.text(top, key, "the file") for key in ("name", "version", "intro")
        )
        examples = top.get("examples")
        if not isinstance(examples, int) or isinstance(examples, bool) or not 0 <= examples <= 5:
            self.problems.append('the file: "examples" must be a whole number from 0 to 5')
            examples = 0
        scale = self.scores(top.get("scale"), "scale", partial=True)
        levels = self.levels(top.get("levels"))
        top_score = max(scale, default=0)
        ids = {level.id for level in levels}
        dimensions = tuple(
            self.dimension(str(d), body, top_score, ids)
            for d, body in self.mapping(top.get("dimensions"), "dimensions").items()
        )
        if self.problems:
            return None
        return Guidance(name, version, intro, examples, scale, levels, dimensions)

    def levels(self, raw: object) -> tuple[Level, ...]:
        found = []
        for level_id, body in self.mapping(raw, "levels").items():
            where = f'level "{level_id}"'
            if level_id not in LEVELS:
                known = ", ".join(LEVELS)
                self.problems.append(f"{where}: levels are {known}")
            fields = {str(k): v for k, v in self.mapping(body, where).items()}
            title, text = self.text(fields, "title", where), self.text(fields, "description", where)
            found.append(Level(str(level_id), title, text))
        return tuple(found)

    def dimension(self, dim_id: str, raw: object, top: int, levels: set[str]) -> Dimension:
        where = f'dimension "{dim_id}"'
        body = self.mapping(raw, where)
        self.unknown(body, _DIMENSION_KEYS, where)
        fields = {str(k): v for k, v in body.items()}
        not_for = fields.get("not_for", [])
        if not isinstance(not_for, list) or not set(map(str, not_for)) <= levels:
            self.problems.append(f'{where}: "not_for" must list known levels')
            not_for = []
        own = {
            str(level): self.scores(scores, f'{where} for "{level}"', top=top)
            for level, scores in self.mapping(fields.get("for", {"-": {}}), where).items()
            if level != "-"
        }
        for level in own:
            if level not in levels:
                self.problems.append(f'{where}: "for" names "{level}", which is not a level')
        return Dimension(
            dim_id,
            self.text(fields, "title", where),
            self.scores(fields.get("scores"), where, top=top),
            frozenset(map(str, not_for)),
            tuple((level, tuple(sorted(s.items()))) for level, s in own.items()),
        )

    def scores(
        self, raw: object, where: str, *, top: int = 0, partial: bool = False
    ) -> dict[int, str]:
        """{score: text}; unless `partial`, one text for every score from 1 to `top`."""
        body = self.mapping(raw, where)
        found: dict[int, str] = {}
        for key, value in body.items():
            if not isinstance(key, int) or isinstance(key, bool) or key < 1:
                self.problems.append(f"{where}: scores are whole numbers from 1, not {key!r}")
            elif not isinstance(value, str) or not value.strip():
                self.problems.append(f"{where}: score {key} needs its guidance text")
            else:
                found[key] = " ".join(value.split())
        missing = [] if partial else [s for s in range(1, top + 1) if s not in found]
        if missing:
            self.problems.append(
                f"{where}: no guidance for score {', '.join(map(str, missing))} "
                f"(the scale runs from 1 to {top})"
            )
        return found
