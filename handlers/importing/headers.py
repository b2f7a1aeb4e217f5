"""The header vocabulary: what a column can hold, and the header words that say so.

The words are data, in headers.yaml next to this file; they are checked when first used, and a
fault names the idea and what to fix. Matching a header against them is in layout.idea_of.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

PATH = Path(__file__).parent / "headers.yaml"


class Idea(StrEnum):
    REF = "ref"
    RECOMMENDATION = "recommendation"
    ACTION = "action"
    OWNER = "owner"
    TARGET = "target"
    PRIORITY = "priority"
    MEASURE = "measure"
    PROGRESS = "progress"
    STATUS = "status"


@lru_cache(maxsize=4096)
def normalise(header: str) -> str:
    """'Deliverables (Output)' -> 'deliverables output'; 'Who?' -> 'who'; '#' -> '#'."""
    text = header.strip().lower()
    if text == "#":
        return "#"
    text = text.replace("&", " ").replace("’", "'").replace("'", "")
    return " ".join(re.findall(r"[a-z0-9]+", text))


class IdeaEntry(BaseModel):
    """One idea in headers.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Idea
    description: str = Field(min_length=1)
    headers: tuple[str, ...] = Field(min_length=1)
    whole_header_only: bool = False

    @field_validator("headers")
    @classmethod
    def _normalised(cls, headers: tuple[str, ...]) -> tuple[str, ...]:
        for i, header in enumerate(headers):
            if normalise(header) != header:
                raise ValueError(
                    f'header "{header}" would never match: write it as "{normalise(header)}" '
                    "(lower case, punctuation as spaces)"
                )
            if header in headers[:i]:
                raise ValueError(f'header "{header}" is listed twice')
        return headers


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ideas: list[IdeaEntry]

    @model_validator(mode="after")
    def _one_entry_per_idea_and_header(self) -> _File:
        problems: list[str] = []
        meaning: dict[str, Idea] = {}
        seen: set[Idea] = set()
        for entry in self.ideas:
            if entry.name in seen:
                problems.append(f'idea "{entry.name}" is listed twice')
            seen.add(entry.name)
            for header in entry.headers:
                first = meaning.setdefault(header, entry.name)
                if first is not entry.name:
                    problems.append(
                        f'header "{header}" is listed under both "{first}" and "{entry.name}": '
                        "a header can mean one idea only"
                    )
        missing = [i.value for i in Idea if i not in seen]
        if missing:
            problems.append(f"ideas missing: {', '.join(missing)} (every idea needs an entry)")
        if problems:
            raise ValueError("; ".join(problems))
        return self


class HeadersError(ValueError):
    """A header vocabulary file that cannot be used."""


@dataclass(frozen=True)
class Vocabulary:
    ideas: tuple[IdeaEntry, ...]
    lookup: dict[str, Idea]  # every header understood, whole
    prefixes: tuple[str, ...]  # headers that may start a longer one, longest first


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """The shipped vocabulary, read and checked once."""
    return load(PATH)


def load(path: Path) -> Vocabulary:
    """Read and check a vocabulary file; HeadersError naming the idea and the fault if bad."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise HeadersError(f"{path}: cannot be read: {err}") from err
    try:
        ideas = _File.model_validate(data).ideas
    except ValidationError as err:
        raise HeadersError(_explain(path, data, err)) from None
    lookup = {header: entry.name for entry in ideas for header in entry.headers}
    # Longest first, so "progress update november 2012" is progress, not something shorter.
    starts = [h for entry in ideas if not entry.whole_header_only for h in entry.headers]
    return Vocabulary(tuple(ideas), lookup, tuple(sorted(starts, key=len, reverse=True)))


def _explain(path: Path, data: object, err: ValidationError) -> str:
    """Pydantic's errors, each named by the idea it is in rather than by its position."""
    entries = data.get("ideas") if isinstance(data, dict) else None
    problems: list[str] = []
    for error in err.errors():
        loc, where, known = error["loc"], "", tuple(_File.model_fields)
        if len(loc) >= 2 and loc[0] == "ideas" and isinstance(loc[1], int):
            entry = entries[loc[1]] if isinstance(entries, list) else None
            name = entry.get("name") if isinstance(entry, dict) else None
            where = f'idea "{name}": ' if name else f"idea {loc[1] + 1} (no name): "
            loc, known = loc[2:], tuple(IdeaEntry.model_fields)
        field = " ".join(f"item {part + 1}" if isinstance(part, int) else part for part in loc)
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "missing":
            message = f'"{field}" is missing'
        elif error["type"] == "extra_forbidden":
            message = f'unknown key "{field}" (known keys: {", ".join(known)})'
        elif error["type"] == "enum":
            message = f'"{error["input"]}" is not an idea ({", ".join(i.value for i in Idea)})'
        elif error["type"] == "model_type" and not loc:
            message = f"should be a mapping with keys {', '.join(known)}"
        elif field:
            message = f"{field}: {message}"
        if isinstance(error["input"], bool):
            message += ' (YAML reads yes/no/on/off as true/false: put the word in quotes, "no")'
        problems.append(where + message)
    return f"{path}: " + "; ".join(problems)
