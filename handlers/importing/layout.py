"""Finding an action plan in a sheet: the header row, what each column means, themes, rows.

Councils paste Word tables into spreadsheets, so: title rows come first; headers differ by
council ("What?", "Recommendation", "Key Activities") and are matched by meaning, the words
being data (headers.yaml); the header row repeats on every page; a row with only its first cell
filled is a theme ("Objective 1: …"), and a quoted or long line under it is the theme's
description; a row broken over a page break continues the one before it, and a row of more
deliverables, leads or milestones adds them to the activity above, a line each; page headings
such as "APPENDIX 3(a)" are not themes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from handlers.importing.grid import SheetError, column_letter
from handlers.importing.headers import Idea as Idea
from handlers.importing.headers import normalise as normalise
from handlers.importing.headers import vocabulary
from handlers.language.text import without_controls

HEADER_SEARCH_ROWS = 30
PRIORITY_WORDS = {
    "1": 1,
    "2": 2,
    "3": 3,
    "high": 1,
    "h": 1,
    "medium": 2,
    "med": 2,
    "m": 2,
    "low": 3,
    "l": 3,
}
_ROLE_WORDS = frozenset(
    [
        "consultant",
        "director",
        "head",
        "manager",
        "officer",
        "chief",
        "assistant",
        "deputy",
        "executive",
        "lead",
        "leader",
        "coordinator",
        "co-ordinator",
        "senior",
        "principal",
        "strategic",
        "cabinet",
        "portfolio",
        "chair",
        "chairman",
        "councillor",
        "cllr",
        "commissioner",
        "clerk",
        "secretary",
        "treasurer",
    ]
)
# A whole reference cell: R7, r 7, 7, 7., 7), 1.2, A1.
_REF_CELL = re.compile(r"[A-Za-z]{0,3}\s?\d+(?:\.\d+)*[a-z]?[.)]?")
# A reference at the start of a text cell: "R7 We recommend", "7. Publish", "7) Publish".
_LEADING_REF = re.compile(r"(R\s?\d+[a-z]?[.):]?|\d+(?:\.\d+)*[.)])\s+(?=\S)", re.IGNORECASE)
_THEME_NUMBER = re.compile(
    r"(?:objective|theme|priority|principle|outcome|aim|goal|section|part|strand|workstream|"
    r"area)\s*(\d+)|(\d+)[.):]?\s",
    re.IGNORECASE,
)
_THEME_WORD = re.compile(
    r"(?:objective|theme|priority|principle|outcome|aim|goal|section|strand|workstream)\s*\d+",
    re.IGNORECASE,
)
_CAPTION = re.compile(r"(?:appendix|annex|annexe|page|continued|cont\b)", re.IGNORECASE)
_QUOTES = "\"'“”‘’«"
_SPACES = re.compile(r"[ \t\u00a0\u2007\u202f]+")
_SENTENCE_END = ".!?:;"


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


# ---------------------------------------------------------------------------------------------
# Headers and ideas


@lru_cache(maxsize=4096)
def idea_of(header: str) -> Idea | None:
    """What a header means, by its words (headers.yaml): 'Responsible Officer(s)' -> OWNER."""
    key = normalise(header)
    if not key:
        return None
    words = vocabulary()
    if key in words.lookup:
        return words.lookup[key]
    for prefix in words.prefixes:  # "target date for completion", "progress nov 2012"
        if key.startswith(prefix + " "):
            return words.lookup[prefix]
    return None


def parse_map_option(option: str) -> tuple[str, Idea]:
    """'Who?=owner' -> ('Who?', Idea.OWNER); the idea may be a name or a header synonym."""
    header, sep, name = option.rpartition("=")
    names = ", ".join(i.value for i in Idea)
    if not sep or not header.strip():
        raise ValueError(
            f"--map '{option}' should look like 'Column header=idea', for example "
            f"--map 'Who?=owner'. The ideas are: {names}."
        )
    wanted = name.strip().lower()
    idea = Idea(wanted) if wanted in Idea._value2member_map_ else idea_of(wanted)
    if idea is None:
        raise ValueError(
            f"--map '{option}': '{name.strip()}' is not something a column can hold. "
            f"Use one of: {names} (for example --map 'Who?=owner')."
        )
    return header.strip(), idea


# ---------------------------------------------------------------------------------------------
# Owners


@lru_cache(maxsize=8192)
def split_owners(cell: str) -> tuple[str, ...]:
    """Roles in an owner cell, in order: split on new lines, '/', ';', and on 'and' / '&' only
    when a role title follows ("Director of Public Health and Consultant in Public Health")."""
    owners: list[str] = []
    seen: set[str] = set()
    for part in re.split(r"[\n/;]", cell):
        for piece in _split_and(part):
            name = " ".join(piece.split()).strip(" ,-–•*")
            key = role_key(name)
            if name and key not in seen:
                seen.add(key)
                owners.append(name)
    return tuple(owners)


def _split_and(part: str) -> list[str]:
    pieces = re.split(r"(\s+(?:and|&)\s+)", part)
    out = [pieces[0]]
    for glue, piece in zip(pieces[1::2], pieces[2::2], strict=True):
        words = piece.split()
        first = words[0].lower().strip(",.") if words else ""
        if first == "the" and len(words) > 1:
            first = words[1].lower().strip(",.")
        if first in _ROLE_WORDS and out[-1].strip():
            out.append(piece)
        else:
            out[-1] = out[-1] + glue + piece
    return out


def role_key(name: str) -> str:
    """Owner names that differ only by case, spacing, punctuation or '&'/'and' are one role."""
    text = name.lower().replace("&", " and ")
    return " ".join(re.findall(r"[a-z0-9]+", text))


# ---------------------------------------------------------------------------------------------
# The sheet


def _clean(cell: str) -> str:
    if "\n" in cell:
        lines = (_SPACES.sub(" ", line).strip() for line in cell.split("\n"))
        return "\n".join(line for line in lines if line)
    if "  " in cell or "\t" in cell or "\u00a0" in cell:
        return _SPACES.sub(" ", cell).strip()
    return cell.strip()


@dataclass
class _Draft:
    """A plan row being read: its cells can still grow if the next row continues it."""

    row: int
    cells: list[str]
    ref: str
    theme: int | None  # index into themes


@dataclass
class _Layout:
    columns: dict[Idea, int]
    headers: list[str]
    width: int
    signature: tuple[str, ...]
    main: int | None  # the recommendation column, else the action column

    def get(self, cells: list[str], idea: Idea) -> str:
        index = self.columns.get(idea)
        return cells[index] if index is not None else ""

    def name(self, index: int) -> str:
        header = self.headers[index] if index < len(self.headers) else ""
        return header or column_letter(index)


def parse_sheet(rows: list[list[str]], *, overrides: dict[str, Idea] | None = None) -> ParsedSheet:
    """The plan in `rows` (as read_rows gives them); SheetError naming row and column if not."""
    cleaned, controls = _without_controls(rows)
    wanted = {normalise(k): v for k, v in (overrides or {}).items()}
    header_at, columns = _find_header(cleaned, wanted, overrides or {})
    headers = list(cleaned[header_at])
    width = max((len(r) for r in cleaned), default=0)
    headers += [""] * (width - len(headers))
    _ref_column_by_content(cleaned, header_at, headers, columns)
    main = columns.get(Idea.RECOMMENDATION, columns.get(Idea.ACTION))
    layout = _Layout(
        columns=columns,
        headers=headers,
        width=width,
        signature=tuple(sorted(normalise(h) for h in headers if h)),
        main=main,
    )
    parsed = ParsedSheet(header_row=header_at + 1, headers=headers, columns=columns)
    current_theme = _title_and_first_theme(cleaned[:header_at], parsed)
    drafts = _read_body(cleaned, header_at, layout, parsed, current_theme)
    parsed.rows = _finish(drafts, layout, parsed)
    if not parsed.rows:
        raise SheetError(
            f"No actions found under the header row (row {header_at + 1}): the sheet has the "
            "headers but no recommendation or action below them. Check it is the right file; "
            "I read its first sheet."
        )
    parsed.warnings[:0] = _control_warnings(controls, layout)
    return parsed


_SHOWN_CONTROLS = 10


def _without_controls(rows: list[list[str]]) -> tuple[list[list[str]], list[tuple[int, int, str]]]:
    """Cells cleaned of control characters, and where some were (row, column, which)."""
    found: list[tuple[int, int, str]] = []
    cleaned: list[list[str]] = []
    for number, row in enumerate(rows, start=1):
        out: list[str] = []
        for index, cell in enumerate(row):
            text, names = without_controls(cell) if cell else ("", "")
            if names:
                found.append((number, index, names))
            out.append(_clean(text) if text else "")
        cleaned.append(out)
    return cleaned, found


def _control_warnings(found: list[tuple[int, int, str]], layout: _Layout) -> list[str]:
    """One line per cell (the first few) that lost control characters, in the sheet's words."""
    lines = [
        f'Row {row}, column "{layout.name(index)}": removed control characters ({names}) '
        "that can't be stored or shown; the rest of the cell is kept."
        for row, index, names in found[:_SHOWN_CONTROLS]
    ]
    if len(found) > _SHOWN_CONTROLS:
        lines.append(f"{len(found) - _SHOWN_CONTROLS} more cells had control characters removed.")
    return lines


def _columns(row: list[str], wanted: dict[str, Idea]) -> dict[Idea, int]:
    columns: dict[Idea, int] = {}
    for index, cell in enumerate(row):  # --map first: it wins over a synonym elsewhere
        idea = wanted.get(normalise(cell)) if cell else None
        if idea is not None and idea not in columns:
            columns[idea] = index
    taken = set(columns.values())
    for index, cell in enumerate(row):
        if not cell or index in taken:
            continue
        idea = idea_of(cell)
        if idea is not None and idea not in columns:
            columns[idea] = index
    return columns


def _looks_like_header(columns: dict[Idea, int]) -> bool:
    has_what = Idea.RECOMMENDATION in columns or Idea.ACTION in columns
    return len(columns) >= 2 and has_what and (Idea.OWNER in columns or Idea.TARGET in columns)


def _find_header(
    rows: list[list[str]], wanted: dict[str, Idea], overrides: dict[str, Idea]
) -> tuple[int, dict[Idea, int]]:
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if not any(row):
            continue
        columns = _columns(row, wanted)
        if _looks_like_header(columns):
            _check_overrides(row, index, overrides)
            return index, columns
    first = next((r for r in rows if any(r)), None)
    if first is None:
        raise SheetError("The file is empty: there are no rows with anything in them.")
    if overrides:
        near = next(
            (i for i, r in enumerate(rows[:HEADER_SEARCH_ROWS]) if len([c for c in r if c]) >= 2),
            None,
        )
        if near is not None:
            _check_overrides(rows[near], near, overrides)
    shown = ", ".join(f'"{c}"' for c in first if c)
    if len(shown) > 200:
        shown = shown[:197] + "…"
    raise SheetError(
        f"I couldn't find a header row in the first {HEADER_SEARCH_ROWS} rows. Expected columns "
        "like Recommendation/What? (or Agreed action/How?), Responsible officer/Who? and "
        f"Target date/When?, but the first row I saw has {shown}. If your columns are named "
        "differently, say what each holds, e.g. --map 'Task=recommendation' --map 'Person=owner'."
    )


def _check_overrides(row: list[str], index: int, overrides: dict[str, Idea]) -> None:
    present = {normalise(c) for c in row if c}
    for header in overrides:
        if normalise(header) not in present:
            seen = ", ".join(f'"{c}"' for c in row if c)
            raise SheetError(
                f'--map names a column "{header}" that is not in the sheet; the headers I found '
                f"are {seen}.",
                row=index + 1,
            )


def _ref_column_by_content(
    rows: list[list[str]], header_at: int, headers: list[str], columns: dict[Idea, int]
) -> None:
    """An unlabelled first column holding R1, R2… (or 1., 2.) is the reference column."""
    if Idea.REF in columns or not headers or headers[0] or 0 in columns.values():
        return
    values = [r[0] for r in rows[header_at + 1 : header_at + 60] if r and r[0]]
    refs = sum(1 for v in values if _REF_CELL.fullmatch(v))
    if values and refs * 2 > len(values):
        columns[Idea.REF] = 0


def _single(row: list[str]) -> tuple[int, str] | None:
    found: tuple[int, str] | None = None
    for index, cell in enumerate(row):
        if cell:
            if found is not None:
                return None
            found = (index, cell)
    return found


def _is_caption(text: str) -> bool:
    """A page heading such as "APPENDIX 3(a)" or "Page 2 of 5": not a theme, not an action."""
    if "\n" in text or len(text) > 40:
        return False
    if _CAPTION.match(text):
        return True
    letters = [c for c in text if c.isalpha()]
    upper = sum(1 for c in letters if c.isupper())
    return bool(letters) and upper >= 0.75 * len(letters)


def _is_description(text: str) -> bool:
    return text[:1] in _QUOTES or len(text) > 80


def _title_and_first_theme(above: list[list[str]], parsed: ParsedSheet) -> int | None:
    """Rows above the header: titles, except an objective (and its quoted description) that
    sits right on top of the first table."""
    lines = [(i, " ".join(c for c in row if c)) for i, row in enumerate(above) if any(row)]
    theme_at: int | None = None
    description: tuple[int, str] | None = None
    singles = [_single(above[i]) is not None for i, _ in lines]
    if len(lines) >= 2 and singles[-1] and singles[-2] and lines[-1][1][:1] in _QUOTES:
        theme_at, description = len(lines) - 2, lines[-1]
    elif lines and singles[-1] and _THEME_WORD.match(lines[-1][1]):
        theme_at = len(lines) - 1
    if theme_at is None:
        parsed.title_lines = [text for _, text in lines]
        return None
    parsed.title_lines = [text for _, text in lines[:theme_at]]
    row, title = lines[theme_at]
    parsed.themes.append(ThemeRow(row + 1, title, description[1] if description else ""))
    return 0


def _read_body(
    rows: list[list[str]],
    header_at: int,
    layout: _Layout,
    parsed: ParsedSheet,
    theme: int | None,
) -> list[_Draft]:
    drafts: list[_Draft] = []
    ref_col = layout.columns.get(Idea.REF)
    theme_open = theme is not None and not parsed.themes[theme].description
    previous: _Draft | None = None  # the row a page-split row would continue
    for index in range(header_at + 1, len(rows)):
        cells = rows[index]
        if not any(cells):
            continue
        number = index + 1
        if _is_repeated_header(cells, layout):
            continue
        lone = _single(cells)
        if lone is not None and lone[0] == 0 and not _REF_CELL.fullmatch(lone[1]):
            text = lone[1]
            if previous is not None and _adds_to_previous(text, layout):
                _join(previous, cells, layout)  # before captions: "HBC", "TBC" are not headings
                continue
            if previous is not None and _sentence_under_activity(text, layout):
                _carry_on(previous, text, layout)
                continue
            if _is_caption(text):
                continue
            if theme_open and theme is not None and _is_description(text):
                old = parsed.themes[theme]
                parsed.themes[theme] = ThemeRow(old.row, old.title, text)
                theme_open = False
                continue
            if not (previous is not None and text[:1].islower()):
                parsed.themes.append(ThemeRow(number, text))
                theme, theme_open, previous = len(parsed.themes) - 1, True, None
                continue
        theme_open = False
        cells = cells + [""] * (layout.width - len(cells))
        ref = cells[ref_col] if ref_col is not None else ""
        if ref_col is None and layout.main is not None:
            match = _LEADING_REF.match(cells[layout.main])
            if match:
                ref = match.group(1)
                cells[layout.main] = cells[layout.main][match.end() :]
        if not ref and previous is not None and _continues(cells, layout, previous):
            _join(previous, cells, layout)
            continue
        draft = _Draft(number, cells, _normal_ref(ref), theme)
        drafts.append(draft)
        previous = draft
    return drafts


def _is_repeated_header(cells: list[str], layout: _Layout) -> bool:
    first = next((c for c in cells if c), "")
    if len(first) > 60:  # a header is a few words; most rows are long text (and cheap to skip)
        return False
    if idea_of(first) is None and normalise(first) not in layout.signature:
        return False
    return tuple(sorted(normalise(c) for c in cells if c)) == layout.signature


def _continues(cells: list[str], layout: _Layout, previous: _Draft) -> bool:
    """A row broken over a Word page: no reference, and no new recommendation of its own
    (its text is missing or carries on mid-sentence in lower case)."""
    ref_col = layout.columns.get(Idea.REF)
    filled = [c for i, c in enumerate(cells) if c and i != ref_col]
    if not filled:
        return False
    main = cells[layout.main] if layout.main is not None else ""
    if not main or main[:1].islower():
        return True
    # "Review and revise the current" / "Community Engagement Toolkit and promote…": the
    # target was given on the first half, and most of the other cells carry on in lower case.
    target_col = layout.columns.get(Idea.TARGET)
    if target_col is None or cells[target_col] or not previous.cells[target_col]:
        return False
    lower = sum(1 for c in filled if c[:1].islower())
    return lower >= 2 and lower * 2 >= len(filled)


def _adds_to_previous(text: str, layout: _Layout) -> bool:
    """A lone first cell that belongs to the activity above, not a theme: the first column
    holds deliverables, owners or milestones ("Deliverable | Lead | Milestone" sheets), and
    the text is not headed like a theme ("Objective 2: …").

    Where deliverables are also the sheet's "what" (no activity column), only a sentence
    (long, or ending in a full stop) carries on: a short line is still a theme heading.
    """
    if _THEME_WORD.match(text) or _CAPTION.match(text):
        return False
    first = next((idea for idea, index in layout.columns.items() if index == 0), None)
    if first in (Idea.OWNER, Idea.TARGET):
        return True
    if first is not Idea.ACTION:
        return False
    if Idea.RECOMMENDATION in layout.columns:
        return True
    return len(text) > 80 or text.rstrip()[-1:] in _SENTENCE_END


def _sentence_under_activity(text: str, layout: _Layout) -> bool:
    """A sentence alone in the reference column, under an activity: more of that activity
    ("Recruit members from every ward, including young people."), not a theme, which is a
    short heading ("Communication and awareness", "Objective 2: ...")."""
    if layout.columns.get(Idea.REF) != 0 or layout.main is None or layout.main == 0:
        return False
    if _THEME_WORD.match(text) or _CAPTION.match(text) or text[:1] in _QUOTES:
        return False
    sentence = text.rstrip()[-1:] in _SENTENCE_END and len(text.split()) >= 4
    return sentence or len(text) > 80 or text[:1].islower()


def _carry_on(previous: _Draft, text: str, layout: _Layout) -> None:
    """The sentence goes on the activity's own text, on a line of its own."""
    main = layout.main
    assert main is not None
    if main >= len(previous.cells):
        previous.cells += [""] * (main + 1 - len(previous.cells))
    previous.cells[main] = _add_line(previous.cells[main], text)


def _join(previous: _Draft, cells: list[str], layout: _Layout) -> None:
    """Add a continuation row to the row above.

    A row cut by a page break carries on mid-sentence, so some cell starts in lower case and
    its text is glued on. Otherwise the row adds another deliverable, owner or milestone to
    the same activity, and each goes on a line of its own (so "Updated quarterly" under
    "By Sept 2010" stays a milestone of its own, and a second owner a second role).
    """
    ref_col = layout.columns.get(Idea.REF)
    carries_on = any(c[:1].islower() for i, c in enumerate(cells) if c and i != ref_col)
    for index, more in enumerate(cells):
        if not more or index == ref_col:
            continue
        if index >= len(previous.cells):
            previous.cells += [""] * (index + 1 - len(previous.cells))
        before = previous.cells[index]
        previous.cells[index] = _glue(before, more) if carries_on else _add_line(before, more)


# The end of a cell cut mid-phrase: "HBC Corporate and", "Head of", "Team/".
_DANGLING = re.compile(
    r"(?:[/,&+-]|\b(?:and|or|of|the|to|for|in|on|at|with|by|a|an|from))$", re.IGNORECASE
)


def _add_line(before: str, more: str) -> str:
    """Another item for the same cell, on its own line, unless the cell above stops mid-phrase."""
    if not before:
        return more
    if _DANGLING.search(before):
        return _glue(before, more)
    return f"{before}\n{more}"


def _glue(before: str, more: str) -> str:
    """Text cut by the page break carries on with a space; a finished sentence, a new line."""
    if not before:
        return more
    if before.endswith(("/", "-")) and not before.endswith(" -"):
        return before + more
    if before[-1] in _SENTENCE_END:
        return f"{before}\n{more}"
    return f"{before} {more}"


def _normal_ref(ref: str) -> str:
    """'r7 ' -> 'R7'; '7.' -> '7'; '7)' -> '7'; 'R 7' -> 'R7'; others kept as written."""
    ref = ref.strip().rstrip(".):").strip()
    match = re.fullmatch(r"([A-Za-z]{1,3})\s*(\d+(?:\.\d+)*[a-z]?)", ref)
    if match:
        return match.group(1).upper() + match.group(2)
    return ref


def _theme_number(theme: ThemeRow, position: int) -> str:
    match = _THEME_NUMBER.match(theme.title)
    if match:
        return match.group(1) or match.group(2)
    return str(position)


def _finish(drafts: list[_Draft], layout: _Layout, parsed: ParsedSheet) -> list[PlanRow]:
    columns = layout.columns
    seen: dict[str, int] = {}
    for draft in drafts:
        if draft.ref:
            key = draft.ref.lower()
            if key in seen:
                ref_col = columns.get(Idea.REF)
                raise SheetError(
                    f"{draft.ref} appears twice, on row {seen[key]} and on row {draft.row}. "
                    "Each action needs its own reference: renumber one of them.",
                    row=draft.row,
                    column=layout.name(ref_col) if ref_col is not None else None,
                )
            seen[key] = draft.row
    numbers = [_theme_number(t, i) for i, t in enumerate(parsed.themes, start=1)]
    counters: dict[int | None, int] = {}
    canonical: dict[str, str] = {}
    used = set(columns.values())
    rows: list[PlanRow] = []
    for draft in drafts:
        cells = draft.cells
        recommendation = layout.get(cells, Idea.RECOMMENDATION)
        action = layout.get(cells, Idea.ACTION)
        ref, generated = draft.ref, not draft.ref
        if not (recommendation or action):
            what = f"{ref} has" if ref else "This row has"
            raise SheetError(
                f"{what} no recommendation or action text. Fill it in, or delete the row.",
                row=draft.row,
            )
        if generated:
            ref = _next_ref(draft.theme, numbers, counters, seen)
            seen[ref.lower()] = draft.row
        owners = tuple(
            canonical.setdefault(role_key(o), o)
            for o in split_owners(layout.get(cells, Idea.OWNER))
        )
        target = layout.get(cells, Idea.TARGET)
        if Idea.OWNER in columns and not owners:
            parsed.warnings.append(f"Row {draft.row}: {ref} has no responsible officer.")
        if Idea.TARGET in columns and not target:
            parsed.warnings.append(f"Row {draft.row}: {ref} has no target date.")
        rows.append(
            PlanRow(
                row=draft.row,
                ref=ref,
                ref_generated=generated,
                theme=parsed.themes[draft.theme].title if draft.theme is not None else None,
                recommendation=recommendation,
                action=action,
                owners=owners,
                target=target,
                priority=_priority(layout, cells, draft.row, parsed),
                measure=layout.get(cells, Idea.MEASURE),
                progress=layout.get(cells, Idea.PROGRESS),
                status=layout.get(cells, Idea.STATUS),
                extra=_extra(cells, used, layout),
            )
        )
    return rows


def _next_ref(
    theme: int | None, numbers: list[str], counters: dict[int | None, int], seen: dict[str, int]
) -> str:
    while True:
        counters[theme] = counters.get(theme, 0) + 1
        n = counters[theme]
        ref = f"{numbers[theme]}.{n}" if theme is not None else str(n)
        if ref.lower() not in seen:
            return ref


def _priority(layout: _Layout, cells: list[str], row: int, parsed: ParsedSheet) -> int | None:
    text = layout.get(cells, Idea.PRIORITY)
    if not text:
        return None
    value = PRIORITY_WORDS.get(text.lower().strip(" ."))
    if value is None:
        match = re.match(r"([123])\b|(high|medium|low)\b", text, re.IGNORECASE)
        if match:
            value = PRIORITY_WORDS[(match.group(1) or match.group(2)).lower()]
    if value is None:
        column = layout.name(layout.columns[Idea.PRIORITY])
        parsed.warnings.append(
            f'Row {row}, column "{column}": priority "{text}" is not 1, 2, 3, High, Medium '
            "or Low, so I left it blank."
        )
    return value


def _extra(cells: list[str], used: Iterable[int], layout: _Layout) -> tuple[tuple[str, str], ...]:
    taken = set(used)
    return tuple(
        (layout.name(i) if layout.headers[i] else f"Column {column_letter(i)}", value)
        for i, value in enumerate(cells)
        if value and i not in taken and i < len(layout.headers)
    )
