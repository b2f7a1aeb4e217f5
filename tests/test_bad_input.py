"""Bad input gets one clear message, and never loses or half-writes data."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

from typer.testing import Result

from tests.conftest import BLACKPOOL

Cli = Callable[..., Result]
HEADER = ["Ref", "Recommendation", "Agreed Action", "Responsible officer", "Target Date"]


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def _actions(cli: Cli) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = json.loads(cli("actions", "list", "--json").output)
    return rows


def test_an_empty_file_is_refused_plainly(cli: Cli, tmp_path: Path) -> None:
    empty = tmp_path / "plan.csv"
    empty.write_text("", encoding="utf-8")
    result = cli("import", str(empty))
    assert result.exit_code == 1
    assert "Nothing was imported" in result.output and "empty" in result.output
    assert "No plans yet" in cli("plans").output


def test_wrong_headers_say_what_was_expected(cli: Cli, tmp_path: Path) -> None:
    sheet = _write(tmp_path / "shopping.csv", [["Item", "Price"], ["Milk", "1.20"]])
    result = cli("import", str(sheet))
    assert result.exit_code == 1
    assert "header" in result.output.lower()
    assert "Responsible officer" in result.output or "Who?" in result.output


def test_a_word_document_is_refused_with_what_to_do(cli: Cli, tmp_path: Path) -> None:
    doc = tmp_path / "plan.docx"
    doc.write_bytes(b"PK\x03\x04 not really a sheet")
    result = cli("import", str(doc))
    assert result.exit_code == 1
    assert ".xlsx" in result.output or ".csv" in result.output


def test_a_bad_row_deep_in_a_file_leaves_nothing_half_written(cli: Cli, tmp_path: Path) -> None:
    rows = [HEADER] + [
        [f"R{i}", f"Do thing {i}", "Agreed", "Head of Policy", "March 2027"] for i in range(1, 600)
    ]
    rows.append(["R7", "A second R7", "Agreed", "Head of Policy", "March 2027"])
    result = cli("import", str(_write(tmp_path / "plan.csv", rows)))
    assert result.exit_code == 1
    assert "R7" in result.output and "Row" in result.output
    assert _actions(cli) == []


def test_a_failed_reimport_keeps_the_plan_as_it_was(cli: Cli, tmp_path: Path) -> None:
    cli("import", str(BLACKPOOL), "--plan", "audit")
    broken = _write(tmp_path / "audit.csv", [HEADER, ["R1", "", "", "Head of Policy", "May 2027"]])
    result = cli("import", str(broken), "--plan", "audit")
    assert result.exit_code == 1
    assert "Row 2" in result.output
    assert len(_actions(cli)) == 17


def test_a_ten_thousand_row_sheet_imports_whole(cli: Cli, tmp_path: Path) -> None:
    rows = [HEADER] + [
        [f"R{i}", f"Recommendation {i}", "Agreed", f"Officer {i % 40} Manager", "31/03/2027"]
        for i in range(1, 10_001)
    ]
    result = cli("import", str(_write(tmp_path / "big.csv", rows)))
    assert "10000 actions (10000 new" in result.output
    listed = _actions(cli)
    assert len(listed) == 10_000
    assert listed[-1]["ref"] == "R10000" and listed[-1]["target_date"] == "2027-03-31"


def test_an_impossible_date_is_reported_and_kept_as_written(cli: Cli, tmp_path: Path) -> None:
    rows = [HEADER, ["R1", "Publish the register", "Agreed", "Head of Policy", "31/02/2027"]]
    result = cli("import", str(_write(tmp_path / "plan.csv", rows)))
    assert result.exit_code == 0
    assert "R1: '31/02/2027'" in result.output and "not a real date" in result.output
    action = _actions(cli)[0]
    assert action["target_text"] == "31/02/2027"
    assert action["target_date"] is None and action["target_kind"] == "unclear"


def test_sql_and_slack_markup_in_a_sheet_are_stored_verbatim(cli: Cli, tmp_path: Path) -> None:
    nasty = "Robert'); DROP TABLE action;-- <!channel> <@U123> & *bold*"
    rows = [HEADER, ["R1", nasty, "Agreed", "Head of Policy", "May 2027"]]
    cli("import", str(_write(tmp_path / "plan.csv", rows)))
    assert _actions(cli)[0]["recommendation"] == nasty
    assert "1 action, 0 closed" in cli("plans").output
