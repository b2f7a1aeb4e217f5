"""Finding an action plan in a sheet: the header row, what each column means, themes, rows.

Councils paste Word tables into spreadsheets, so: title rows come first, headers differ by
council ("What?", "Recommendation", "Key Activities"), header rows repeat on every page, a
row with only its first cell filled is a theme, and a row split across pages continues the
one before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from handlers.sheets import SheetError


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


SYNONYMS: dict[Idea, tuple[str, ...]] = {
    Idea.REF: ("ref", "reference", "no", "number", "item", "rec no", "recommendation no", "id"),
    Idea.RECOMMENDATION: (
        "recommendation",
        "recommendations",
        "what",
        "key activities",
        "key activity",
        "activity",
        "issue",
        "finding",
        "objective",
        "task",
    ),
    Idea.ACTION: (
        "agreed action",
        "agreed actions",
        "how",
        "implementation plan",
        "deliverables output",
        "deliverables",
        "deliverable",
        "management response",
        "action",
        "actions",
        "action to be taken",
    ),
    Idea.OWNER: (
        "responsible officer",
        "who",
        "lead officer",
        "lead",
        "owner",
        "responsible",
        "officer",
        "lead contact",
        "responsibility",
        "person in charge",
    ),
    Idea.TARGET: (
        "target date",
        "when",
        "timescale",
        "timescales",
        "milestones",
        "milestone",
        "deadline",
        "due date",
        "date",
        "target",
        "completion date",
    ),
    Idea.PRIORITY: ("priority", "rating"),
    Idea.MEASURE: ("measure", "measures", "outcomes", "outcome", "success measure", "kpi"),
    Idea.PROGRESS: ("progress", "update", "comments", "progress update", "latest update"),
    Idea.STATUS: ("status", "rag", "rag status"),
}
_LOOKUP = {syn: idea for idea, syns in SYNONYMS.items() for syn in syns}
_REF = re.compile(r"^\s*(?:R\s*(\d+[a-z]?)|(\d+(?:\.\d+)*)[.)]?)(?=\s|$)", re.IGNORECASE)
_ROLE_WORD = re.compile(
    r"^(?:the\s+)?(?:consultant|director|head|manager|officer|chief|assistant|deputy|"
    r"strategic|executive|leader|portfolio|cabinet|team|service)\b",
    re.IGNORECASE,
)
PRIORITY_WORDS = {"high": 1, "medium": 2, "med": 2, "low": 3, "1": 1, "2": 2, "3": 3}
HEADER_SEARCH_ROWS = 30


@dataclass(frozen=True)
class ThemeRow:
    row: int
    title: str
    description: str = ""


@dataclass(frozen=True)
class PlanRow:
    row: int
    ref: str
    ref_generated: bool
    theme: str | None
    recommendation: str
    action: str
    owners: tuple[str, ...]
    target: str
    priority: int | None
    measure: str
    progress: str
    status: str
    extra: tuple[tuple[str, str], ...] = ()


@dataclass
class ParsedSheet:
    header_row: int
    headers: list[str]
    columns: dict[Idea, int]
    title_lines: list[str] = field(default_factory=list)
    themes: list[ThemeRow] = field(default_factory=list)
    rows: list[PlanRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def normalise(header: str) -> str:
    text = header.lower().replace("&", " and ")
    return " ".join(re.findall(r"[a-z0-9]+", text))


def idea_of(header: str) -> Idea | None:
    return _LOOKUP.get(normalise(header))


def parse_map_option(option: str) -> tuple[str, Idea]:
    """'Who?=owner' -> ('Who?', Idea.OWNER); the idea may also be a header synonym."""
    header, sep, idea = option.rpartition("=")
    wanted = Idea.__members__.get(idea.strip().upper()) or idea_of(idea)
    if not sep or not header.strip() or wanted is None:
        names = ", ".join(i.value for i in Idea)
        raise ValueError(
            f"--map takes 'Column header=idea', e.g. --map 'Who?=owner'; ideas are: {names}."
        )
    return header.strip(), wanted


def split_owners(cell: str) -> tuple[str, ...]:
    """Roles named in an owner cell: split on new lines, '/', ';' and 'and' before a role."""
    parts = re.split(r"\n|/|;", cell)
    owners: list[str] = []
    for part in parts:
        owners += _split_and(part)
    cleaned = [" ".join(o.split()).strip(" ,.") for o in owners]
    return tuple(dict.fromkeys(o for o in cleaned if o))


def _split_and(part: str) -> list[str]:
    pieces = re.split(r"\s+(?:and|&)\s+", part)
    joined = [pieces[0]]
    for piece in pieces[1:]:
        if _ROLE_WORD.match(piece):
            joined.append(piece)
        else:
            glue = " & " if "&" in part else " and "
            joined[-1] = f"{joined[-1]}{glue}{piece}"
    return joined


def parse_sheet(rows: list[list[str]], *, overrides: dict[str, Idea] | None = None) -> ParsedSheet:
    """The plan in `rows`; SheetError naming row and column when it cannot be read."""
    header_at, columns = _find_header(rows, overrides or {})
    headers = rows[header_at]
    parsed = ParsedSheet(
        header_row=header_at + 1,
        headers=list(headers),
        columns=columns,
        title_lines=[c for r in rows[:header_at] for c in r if c],
    )
    _read_body(rows, header_at, parsed)
    return parsed


def _find_header(rows: list[list[str]], overrides: dict[str, Idea]) -> tuple[int, dict[Idea, int]]:
    wanted = {normalise(k): v for k, v in overrides.items()}
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns = _columns(row, wanted)
        has_what = Idea.RECOMMENDATION in columns or Idea.ACTION in columns
        if has_what and (Idea.OWNER in columns or Idea.TARGET in columns):
            _check_overrides(row, wanted, index)
            return index, columns
    seen = next((r for r in rows if any(r)), [])
    if wanted:
        _check_overrides(seen, wanted, None)
    raise SheetError(
        "I couldn't find a header row. Expected columns like Recommendation / What?, "
        "Responsible officer / Who? and Target date / When?; the first row says: "
        f"{', '.join(c for c in seen if c)[:200] or '(nothing)'}. If your columns are named "
        "differently, say what they hold with --map 'Header=idea'."
    )


def _check_overrides(row: list[str], wanted: dict[str, Idea], index: int | None) -> None:
    present = {normalise(c) for c in row}
    for header in wanted:
        if header not in present:
            raise SheetError(
                f'--map names a column "{header}" that is not in the header row; the headers '
                f"are: {', '.join(c for c in row if c)}.",
                row=index + 1 if index is not None else None,
            )


def _columns(row: list[str], wanted: dict[str, Idea]) -> dict[Idea, int]:
    columns: dict[Idea, int] = {}
    for index, cell in enumerate(row):
        idea = wanted.get(normalise(cell)) or idea_of(cell)
        if idea is not None and idea not in columns:
            columns[idea] = index
    return columns


def _read_body(rows: list[list[str]], header_at: int, parsed: ParsedSheet) -> None:
    columns, headers = parsed.columns, parsed.headers
    ref_column = columns.get(Idea.REF)
    if ref_column is None and headers and not headers[0].strip():
        ref_column = 0  # an unlabelled first column of R1, R2...
        columns[Idea.REF] = 0
    theme: ThemeRow | None = None
    counters: dict[str | None, int] = {}
    seen_refs: dict[str, int] = {}
    for index in range(header_at + 1, len(rows)):
        row = rows[index]
        number = index + 1
        if not any(row) or _is_header(row, columns):
            continue
        filled = [i for i, c in enumerate(row) if c]
        if len(filled) == 1 and filled[0] <= 1 and not _REF.match(row[filled[0]]):
            theme = _theme_or_description(row[filled[0]], number, theme, parsed)
            continue
        if parsed.rows and _continues(row, columns):
            parsed.rows[-1] = _joined(parsed.rows[-1], row, columns, headers)
            continue
        plan_row = _plan_row(row, number, columns, headers, theme, counters, parsed)
        if plan_row.ref.lower() in seen_refs:
            raise SheetError(
                f"{plan_row.ref} appears twice (rows {seen_refs[plan_row.ref.lower()]} and "
                f"{number}). Each action needs its own reference.",
                row=number,
            )
        seen_refs[plan_row.ref.lower()] = number
        parsed.rows.append(plan_row)


def _is_header(row: list[str], columns: dict[Idea, int]) -> bool:
    hits = sum(1 for i, c in enumerate(row) if c and idea_of(c) is not None)
    return hits >= 2 and hits >= len([c for c in row if c]) - 1


def _theme_or_description(
    text: str, number: int, theme: ThemeRow | None, parsed: ParsedSheet
) -> ThemeRow | None:
    """A lone first cell: a theme title, its description (quoted or long), or a page heading."""
    if theme is not None and not theme.description and (text[:1] in "\"“'‘" or len(text) > 80):
        described = ThemeRow(theme.row, theme.title, text.strip("\"“”'‘’ "))
        parsed.themes[-1] = described
        return described
    if text.isupper() and len(text) < 40:  # "APPENDIX 3(a)": a page heading, not a theme
        return theme
    new = ThemeRow(number, text)
    parsed.themes.append(new)
    return new


def _cell(row: list[str], columns: dict[Idea, int], idea: Idea) -> str:
    index = columns.get(idea)
    return row[index].strip() if index is not None and index < len(row) else ""


def _continues(row: list[str], columns: dict[Idea, int]) -> bool:
    """A row split over a page break: no reference and no recommendation of its own."""
    if _cell(row, columns, Idea.REF):
        return False
    what = _cell(row, columns, Idea.RECOMMENDATION) or _cell(row, columns, Idea.ACTION)
    return not what or what[:1].islower()


def _joined(
    previous: PlanRow, row: list[str], columns: dict[Idea, int], headers: list[str]
) -> PlanRow:
    def more(text: str, idea: Idea) -> str:
        extra = _cell(row, columns, idea)
        return f"{text} {extra}".strip() if extra else text

    extra_owner = _cell(row, columns, Idea.OWNER)
    # A role name broken over the page ("HBC Corporate and" / "Organisational Policy Team")
    # carries on the last role; anything else is another role.
    owners = previous.owners
    if extra_owner:
        last = previous.owners[-1] if previous.owners else ""
        owners = previous.owners[:-1] + split_owners(f"{last} {extra_owner}".strip())
    return PlanRow(
        row=previous.row,
        ref=previous.ref,
        ref_generated=previous.ref_generated,
        theme=previous.theme,
        recommendation=more(previous.recommendation, Idea.RECOMMENDATION),
        action=more(previous.action, Idea.ACTION),
        owners=owners,
        target=more(previous.target, Idea.TARGET),
        priority=previous.priority,
        measure=more(previous.measure, Idea.MEASURE),
        progress=more(previous.progress, Idea.PROGRESS),
        status=more(previous.status, Idea.STATUS),
        extra=previous.extra,
    )


def _plan_row(
    row: list[str],
    number: int,
    columns: dict[Idea, int],
    headers: list[str],
    theme: ThemeRow | None,
    counters: dict[str | None, int],
    parsed: ParsedSheet,
) -> PlanRow:
    recommendation = _cell(row, columns, Idea.RECOMMENDATION)
    action = _cell(row, columns, Idea.ACTION)
    ref = _cell(row, columns, Idea.REF)
    if not ref:
        ref, recommendation = _leading_ref(recommendation)
    ref = _normal_ref(ref)
    if not (recommendation or action):
        label = ref or "This row"
        raise SheetError(f"{label} has no recommendation or action text.", row=number)
    generated = not ref
    if generated:
        ref = _generated_ref(theme, parsed, counters)
    return PlanRow(
        row=number,
        ref=ref,
        ref_generated=generated,
        theme=theme.title if theme else None,
        recommendation=recommendation,
        action=action,
        owners=split_owners(_cell(row, columns, Idea.OWNER)),
        target=_cell(row, columns, Idea.TARGET),
        priority=_priority(_cell(row, columns, Idea.PRIORITY), number, parsed),
        measure=_cell(row, columns, Idea.MEASURE),
        progress=_cell(row, columns, Idea.PROGRESS),
        status=_cell(row, columns, Idea.STATUS),
        extra=_extra(row, columns, headers),
    )


def _leading_ref(text: str) -> tuple[str, str]:
    """'R7 We recommend…' -> ('R7', 'We recommend…'); '7. Publish…' -> ('7', 'Publish…')."""
    match = _REF.match(text)
    if not match:
        return "", text
    return match.group(0).strip(), text[match.end() :].strip()


def _normal_ref(ref: str) -> str:
    ref = ref.strip().rstrip(".)")
    match = re.fullmatch(r"[Rr]\s*(\d+[a-zA-Z]?)", ref)
    return f"R{match.group(1)}" if match else ref


def _generated_ref(
    theme: ThemeRow | None, parsed: ParsedSheet, counters: dict[str | None, int]
) -> str:
    key = theme.title if theme else None
    counters[key] = counters.get(key, 0) + 1
    if theme is None:
        return str(counters[key])
    number = re.search(r"\d+", theme.title)
    prefix = number.group(0) if number else str(parsed.themes.index(theme) + 1)
    return f"{prefix}.{counters[key]}"


def _priority(text: str, number: int, parsed: ParsedSheet) -> int | None:
    if not text:
        return None
    value = PRIORITY_WORDS.get(text.strip().lower())
    if value is None:
        parsed.warnings.append(f"Row {number}: priority '{text}' is not 1–3 or High/Medium/Low.")
    return value


def _extra(
    row: list[str], columns: dict[Idea, int], headers: list[str]
) -> tuple[tuple[str, str], ...]:
    used = set(columns.values())
    return tuple(
        (headers[i] or f"Column {i + 1}", row[i])
        for i in range(min(len(row), len(headers)))
        if i not in used and row[i]
    )
