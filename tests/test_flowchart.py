"""The consult-or-engage flowchart: the default toolkit, walks through it, and the validator."""

from __future__ import annotations

from pathlib import Path

import pytest

from handlers.toolkit.flowchart import (
    DEFAULT_PATH,
    LEVELS,
    Flowchart,
    FlowchartError,
    Outcome,
    WalkError,
    WalkState,
    begin,
    check,
    collected,
    current_node,
    load,
    outcome_of,
    step,
    to_mermaid,
)

BROKEN = Path(__file__).parent / "fixtures" / "flowcharts"

OPEN = "No, it's still open"
PUBLIC = "Residents, service users, businesses or community groups"
NO_DUTY = "No, none of these"
NOT_RECENT = "No, not that I know of"


@pytest.fixture(scope="module")
def chart() -> Flowchart:
    return load()


def walk(chart: Flowchart, *answers: str) -> WalkState:
    state = begin(chart)
    for answer in answers:
        state = step(chart, state, answer)
    return state


def details(title: str, significance: str = "One neighbourhood or ward") -> tuple[str, ...]:
    """The common opening: a title, still open, affects the public, then the register details."""
    return (title, OPEN, PUBLIC, significance, "skip", "skip", "skip", "skip", "skip")


def ends(chart: Flowchart, *answers: str) -> Outcome:
    state = walk(chart, *answers)
    outcome = outcome_of(chart, state)
    assert outcome is not None, f"walk stopped at {state.node!r}, not at an outcome"
    assert chart.is_outcome(state.node)
    return outcome


# ---------------------------------------------------------------- the default toolkit


def test_default_toolkit_loads_and_checks_clean(chart: Flowchart) -> None:
    assert check(DEFAULT_PATH) == []
    assert chart.source == "default"
    assert chart.name == "consult-or-engage" and chart.version
    assert {o.level for o in chart.outcomes.values()} == set(LEVELS)


def test_every_question_says_why_and_every_outcome_has_steps(chart: Flowchart) -> None:
    for node in chart.nodes.values():
        assert node.question and node.why, node.id
    for outcome in chart.outcomes.values():
        assert outcome.next_steps and outcome.methods, outcome.id


def test_mermaid_shows_every_node_and_outcome(chart: Flowchart) -> None:
    diagram = to_mermaid(chart)
    assert diagram.startswith("flowchart TD")
    for ident in [*chart.nodes, *chart.outcomes]:
        assert ident in diagram
    assert '{"Has the decision already been made' in diagram
    assert "Consult (consultation)" in diagram
    assert '-->|"Not sure"| o_consult_check_legal' in diagram
    # quotes inside labels are escaped, so no label ends early
    assert '"Closing Moor Lane library"' not in diagram
    assert to_mermaid(chart) == diagram  # stable


def test_level_words() -> None:
    outcome = Outcome("x", "involve", "T", "W", (), (), {})
    assert outcome.level_words == "Involve (deciding together)"


# ---------------------------------------------------------------- scenario walks


def test_library_closure_is_consulted_on(chart: Flowchart) -> None:
    # No statute names library closures, but taking away a service people rely on creates an
    # expectation, and the equality duty applies: consult, with legal advice.
    outcome = ends(chart, *details("Close Moor Lane library"), NO_DUTY, "Yes, one of these applies")
    assert (outcome.id, outcome.level) == ("consult_expected", "consult")
    assert any("equality impact assessment" in s for s in outcome.next_steps)
    assert outcome.register["legal_advice"] is True


def test_bin_collection_day_change_is_informed(chart: Flowchart) -> None:
    # No statute, nothing taken away, and the new day follows from the new rounds, which
    # residents can't usefully change: tell people clearly ("don't consult for the sake of it").
    outcome = ends(
        chart,
        *details("New bin collection days", "The whole borough"),
        NO_DUTY,
        NO_DUTY,
        NOT_RECENT,
        "Not at all, we are telling them what will happen",
    )
    assert (outcome.id, outcome.level) == ("inform_only", "inform")


def test_play_area_redesign_with_residents_is_involve(chart: Flowchart) -> None:
    outcome = ends(
        chart,
        *details("Redesign Hollins Road play area"),
        NO_DUTY,
        NO_DUTY,
        NOT_RECENT,
        "They can help shape the options and decide with us",
    )
    assert (outcome.id, outcome.level) == ("involve", "involve")
    assert outcome.level_words == "Involve (deciding together)"


def test_budget_is_consulted_on_by_law(chart: Flowchart) -> None:
    # Business ratepayers must be consulted on the budget every year.
    outcome = ends(chart, *details("Budget 2027/28", "The whole borough"), "Yes, a law applies")
    assert (outcome.id, outcome.level) == ("consult_duty", "consult")
    assert any("Gunning" in s for s in outcome.next_steps)


def test_decision_already_taken_by_law_is_informed(chart: Flowchart) -> None:
    outcome = ends(chart, "New national food waste collections", "Yes, it's fixed")
    assert (outcome.id, outcome.level) == ("inform_fixed", "inform")
    assert any("not open to change" in s for s in outcome.next_steps)


def test_community_garden_run_by_residents_is_empower(chart: Flowchart) -> None:
    outcome = ends(
        chart,
        *details("Community garden on Elm Street"),
        NO_DUTY,
        NO_DUTY,
        NOT_RECENT,
        "They will help run or deliver it themselves",
    )
    assert (outcome.id, outcome.level) == ("empower", "empower")
    assert "Participatory budgeting" in outcome.methods


def test_council_tax_reduction_scheme_is_consulted_on(chart: Flowchart) -> None:
    outcome = ends(
        chart,
        *details("Council tax reduction scheme 2027", "The whole borough"),
        "Yes, a law applies",
    )
    assert (outcome.id, outcome.level) == ("consult_duty", "consult")


def test_staff_only_it_change_is_informed(chart: Flowchart) -> None:
    outcome = ends(chart, "New laptop login", OPEN, "Only council staff")
    assert (outcome.id, outcome.level) == ("inform_staff", "inform")


def test_repeat_survey_of_tenants_reuses_results(chart: Flowchart) -> None:
    outcome = ends(
        chart,
        *details("Tenant satisfaction survey", "Mainly a protected or seldom-heard group"),
        NO_DUTY,
        NO_DUTY,
        "Yes, recently",
    )
    assert outcome.id == "reuse"
    assert outcome.level in ("consult", "inform")
    assert any("engagement register" in s for s in outcome.next_steps)


def test_pspo_is_consulted_on(chart: Flowchart) -> None:
    outcome = ends(chart, *details("Town centre PSPO"), "Yes, a law applies")
    assert (outcome.id, outcome.level) == ("consult_duty", "consult")


def test_park_events_codesigned_with_young_people_is_involve(chart: Flowchart) -> None:
    outcome = ends(
        chart,
        *details("Summer events in Stanley Park", "Mainly a protected or seldom-heard group"),
        NO_DUTY,
        NO_DUTY,
        NOT_RECENT,
        "They can help shape the options and decide with us",
    )
    assert (outcome.id, outcome.level) == ("involve", "involve")


def test_unsure_about_legal_duty_says_ask_legal_services(chart: Flowchart) -> None:
    outcome = ends(chart, *details("Close a day centre"), "Not sure")
    assert (outcome.id, outcome.level) == ("consult_check_legal", "consult")
    assert any("Ask legal services" in s for s in outcome.next_steps)


def test_unsure_about_expectation_also_says_ask_legal_services(chart: Flowchart) -> None:
    outcome = ends(chart, *details("Change opening hours"), NO_DUTY, "Not sure")
    assert outcome.id == "consult_check_legal"


def test_comment_on_options_is_consult(chart: Flowchart) -> None:
    outcome = ends(
        chart,
        *details("Options for the market hall"),
        NO_DUTY,
        NO_DUTY,
        NOT_RECENT,
        "They can comment on options we have drawn up",
    )
    assert (outcome.id, outcome.level) == ("consult", "consult")


# ---------------------------------------------------------------- walking


def test_begin_is_at_the_title_question(chart: Flowchart) -> None:
    state = begin(chart)
    node = current_node(chart, state)
    assert node is not None and node.input == "title"
    assert outcome_of(chart, state) is None


def test_collected_register_fields(chart: Flowchart) -> None:
    state = walk(
        chart,
        "Close Moor Lane library",
        OPEN,
        PUBLIC,
        "One neighbourhood or ward",
        "Library users and Moor Lane residents",
        "Moor Lane ward",
        "March 2027",
        "skip",
        "£1,500",
        "Yes, a law applies",
    )
    assert collected(state) == {
        "title": "Close Moor Lane library",
        "significance": "one neighbourhood",
        "audience": "Library users and Moor Lane residents",
        "area": "Moor Lane ward",
        "start": "March 2027",
        "budget": "£1,500",
    }
    assert state.path[0] == ("title", "Close Moor Lane library")
    assert state.path[-1] == ("legal_duty", "Yes, a law applies")


def test_numbered_prefix_and_any_case_answers(chart: Flowchart) -> None:
    at_who = walk(chart, "Play area", "2")
    assert at_who.node == "who"
    assert at_who.path[-1] == ("decided", OPEN)  # the label is recorded, not the number
    assert walk(chart, "Play area", "no").node == "who"  # unique start of a label
    assert walk(chart, "Play area", "YES, IT\u2019S FIXED").node == "inform_fixed"


def test_back_undoes_the_last_answer_and_what_it_collected(chart: Flowchart) -> None:
    state = walk(chart, "Play area", OPEN, PUBLIC, "The whole borough")
    assert collected(state)["significance"] == "whole borough"
    back = step(chart, state, "back")
    assert back.node == "significance"
    assert "significance" not in collected(back)
    assert back == walk(chart, "Play area", OPEN, PUBLIC)


def test_back_from_an_outcome_returns_to_the_last_question(chart: Flowchart) -> None:
    state = walk(chart, "Play area", "Yes, it's fixed")
    assert step(chart, state, "Back").node == "decided"


def test_back_at_the_first_question_is_explained(chart: Flowchart) -> None:
    with pytest.raises(WalkError, match="first question"):
        step(chart, begin(chart), "back")


def test_start_again(chart: Flowchart) -> None:
    state = walk(chart, "Play area", OPEN, PUBLIC)
    assert step(chart, state, "start again") == begin(chart)


def test_unknown_answer_lists_the_options(chart: Flowchart) -> None:
    state = walk(chart, "Play area")
    with pytest.raises(WalkError) as err:
        step(chart, state, "maybe")
    message = str(err.value)
    assert '"maybe"' in message
    assert '1. "Yes, it\'s fixed"' in message and f'2. "{OPEN}"' in message


def test_ambiguous_prefix_names_the_candidates(chart: Flowchart) -> None:
    state = walk(chart, *details("Play area"))
    with pytest.raises(WalkError, match="could mean"):
        step(chart, state, "n")  # "No, none of these" or "Not sure"


def test_number_out_of_range_is_refused(chart: Flowchart) -> None:
    with pytest.raises(WalkError):
        step(chart, walk(chart, "Play area"), "7")


def test_empty_text_answer_is_refused(chart: Flowchart) -> None:
    with pytest.raises(WalkError, match="type an answer"):
        step(chart, begin(chart), "   ")


def test_answering_a_finished_walk_is_refused(chart: Flowchart) -> None:
    with pytest.raises(WalkError, match="finished"):
        step(chart, walk(chart, "Play area", "Yes, it's fixed"), "yes")


def test_step_is_pure(chart: Flowchart) -> None:
    state = walk(chart, "Play area")
    step(chart, state, OPEN)
    assert state == walk(chart, "Play area")


# ---------------------------------------------------------------- the validator


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("unknown_next.yaml", 'node "legal_duty": answer "Not sure" leads to "legal"'),
        ("loop.yaml", 'node "second" leads back to "first", a loop'),
        ("unreachable.yaml", 'node "orphan" cannot be reached from start "first"'),
        ("dead_end.yaml", 'node "stuck" is a dead end'),
        ("no_answers.yaml", 'node "empty": has no answers'),
        ("bad_level.yaml", 'outcome "together": level "collaborate" is not one of'),
        ("missing_start.yaml", '"start" is missing'),
        ("unknown_start.yaml", 'start "begin_here" is not a node'),
        ("duplicate_labels.yaml", 'node "decided": answer "yes" appears twice'),
        ("bad_input.yaml", 'node "postcode": input "postcode" is not a register field'),
        ("text_without_next.yaml", 'node "title": a text node needs a "next"'),
        ("syntax_error.yaml", 'YAML syntax error in node "first"'),
        ("duplicate_node.yaml", 'node "first" is defined twice (lines 7 and 13)'),
        ("missing_text.yaml", 'node "first": "why" is missing'),
    ],
)
def test_broken_flowcharts_are_rejected(fixture: str, expected: str) -> None:
    path = BROKEN / fixture
    problems = check(path)
    assert any(expected in p for p in problems), problems
    with pytest.raises(FlowchartError) as err:
        load(path)
    assert err.value.problems == problems
    assert str(err.value).startswith(f"The flowchart {path} has {len(problems)} problem(s):\n- ")


def test_problems_carry_line_numbers() -> None:
    assert check(BROKEN / "unknown_next.yaml") == [
        'node "legal_duty": answer "Not sure" leads to "legal" which does not exist (line 14)'
    ]
    assert "(line 11, column 16)" in check(BROKEN / "syntax_error.yaml")[0]


def test_missing_text_reports_every_problem() -> None:
    problems = check(BROKEN / "missing_text.yaml")
    assert any('"version" is missing' in p for p in problems)
    assert any('outcome "done": "title" is missing' in p for p in problems)
    assert any('"label" must be text: put it in quotes' in p for p in problems)


def test_missing_file_is_a_problem(tmp_path: Path) -> None:
    assert check(tmp_path / "nope.yaml")[0].startswith("cannot read the file")


def test_wrong_types_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "types.yaml"
    path.write_text(
        "name: x\nversion: 2026.1\ntitle: T\nstart: a\n"
        "nodes:\n  a:\n    question: Q?\n    why: W\n    anwsers: []\n"
        "outcomes: [not, a, mapping]\n",
        encoding="utf-8",
    )
    problems = check(path)
    assert any('"version" must be text in quotes' in p and "(line 2)" in p for p in problems)
    assert any('node "a": unknown key "anwsers"' in p for p in problems)
    assert any("outcomes" in p and "should be a mapping" in p for p in problems)


def test_a_council_file_loads_with_its_path_as_source(tmp_path: Path) -> None:
    path = tmp_path / "ours.yaml"
    path.write_text(DEFAULT_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    assert load(path).source == str(path)


def test_a_walk_from_an_older_flowchart_asks_to_start_again(chart: Flowchart) -> None:
    stale = WalkState("gone", path=(("old_question", "Yes"), ("title", "Play area")))
    with pytest.raises(WalkError, match="start again"):
        step(chart, stale, "yes")
    with pytest.raises(WalkError, match="start again"):
        step(chart, stale, "back")
