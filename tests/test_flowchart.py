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
    answers_at,
    begin,
    check,
    collected,
    current_node,
    duties_of,
    load,
    outcome_of,
    remaining,
    size_of,
    step,
    to_mermaid,
)

BROKEN = Path(__file__).parent / "fixtures" / "flowcharts"

OPEN = "No, it's still open"
PUBLIC = "Residents, service users, businesses or community groups"
PLANNED = "No, there is time to plan"
NEITHER = "No, it affects everyone alike"
NO_DUTY = "No, none of these"
NOT_FAIR = "None of these"
NOT_RECENT = "No, not that I know of"


@pytest.fixture(scope="module")
def chart() -> Flowchart:
    return load()


def walk(chart: Flowchart, *answers: str) -> WalkState:
    state = begin(chart)
    for answer in answers:
        state = step(chart, state, answer)
    return state


def details(title: str, size: str = "One neighbourhood or ward") -> tuple[str, ...]:
    """The common opening: a title, the public, no emergency, the size, then register details."""
    return (title, PUBLIC, PLANNED, size, NEITHER, "skip", "skip", "skip", "skip", "skip")


def no_duty(*last: str) -> tuple[str, ...]:
    """No law, no fairness test, still open, not asked recently, then the rest."""
    return (NO_DUTY, NOT_FAIR, OPEN, NOT_RECENT, *last)


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
    assert {o.level for o in chart.outcomes.values()} == {*LEVELS, "statutory"}


def test_every_question_says_why_and_every_outcome_has_steps(chart: Flowchart) -> None:
    for node in chart.nodes.values():
        assert node.question and node.why, node.id
    for outcome in chart.outcomes.values():
        assert outcome.next_steps and (outcome.methods or outcome.methods_by_size), outcome.id


def test_mermaid_shows_every_node_and_outcome(chart: Flowchart) -> None:
    diagram = to_mermaid(chart)
    assert diagram.startswith("flowchart TD")
    for ident in [*chart.nodes, *chart.outcomes]:
        assert ident in diagram
    assert '{"Has the decision already been made' in diagram
    assert "Consult (consultation)" in diagram
    assert 'q_legal_duty -->|"Not sure"| o_consult_check_legal' in diagram
    assert 'q_decided -->|"No, it\'s still open"| q_recent' in diagram
    # quotes inside labels are escaped, so no label ends early
    assert '"Closing Moor Lane library"' not in diagram
    assert to_mermaid(chart) == diagram  # stable


def test_level_words() -> None:
    outcome = Outcome("x", "involve", "T", "W", (), (), {})
    assert outcome.level_words == "Involve (deciding together)"


# ---------------------------------------------------------------- scenario walks
# (the same stories, with every word of the endings, are walked in the console in
# tests/test_consult_chat.py; these check the engine's view: outcome, duties, size)


def test_library_closure_is_consulted_on(chart: Flowchart) -> None:
    # No statute names library closures, but taking away a service people rely on creates an
    # expectation, and the equality duty applies: consult, with legal advice.
    taking_away = "It takes away a service or benefit people have now"
    state = walk(chart, *details("Close Moor Lane library"), NO_DUTY, taking_away, OPEN)
    outcome = outcome_of(chart, state)
    assert outcome is not None and (outcome.id, outcome.level) == ("consult_expected", "consult")
    assert [d.id for d in duties_of(chart, state)] == ["taking_away", "equality"]
    assert outcome.register["legal_advice"] is True


def test_bin_collection_day_change_is_informed(chart: Flowchart) -> None:
    # No statute, nothing taken away, and the new day follows from the new rounds, which
    # residents can't usefully change: tell people clearly ("don't consult for the sake of it").
    outcome = ends(
        chart,
        *details("New bin collection days", "The whole borough, or a service many people use"),
        *no_duty("Not at all, we are telling them what will happen"),
    )
    assert (outcome.id, outcome.level) == ("inform_only", "inform")


def test_play_area_redesign_with_residents_is_involve(chart: Flowchart) -> None:
    outcome = ends(
        chart,
        *details("Redesign Hollins Road play area"),
        *no_duty("They can help shape the options and decide with us"),
    )
    assert (outcome.id, outcome.level) == ("involve", "involve")
    assert outcome.level_words == "Involve (deciding together)"


def test_budget_is_consulted_on_by_law(chart: Flowchart) -> None:
    state = walk(
        chart,
        *details("Budget 2027/28", "The whole borough, or a service many people use"),
        "The budget (spending proposals for next year)",
        OPEN,
    )
    outcome = outcome_of(chart, state)
    assert outcome is not None and (outcome.id, outcome.level) == ("consult_duty", "consult")
    assert any("Gunning" in s for s in outcome.next_steps)
    ratepayers, *others = duties_of(chart, state)  # the law chosen leads
    assert ratepayers.law == "Local Government Finance Act 1992 s65"
    assert [d.id for d in others] == ["best_value", "equality"]


def test_a_fixed_decision_is_informed_only_after_the_law_and_fairness(chart: Flowchart) -> None:
    outcome = ends(
        chart, *details("New national food waste collections"), NO_DUTY, NOT_FAIR, "Yes, it's fixed"
    )
    assert (outcome.id, outcome.level) == ("inform_fixed", "inform")
    assert any("not open to change" in s for s in outcome.next_steps)


def test_decided_in_principle_with_a_duty_is_warned(chart: Flowchart) -> None:
    state = walk(
        chart,
        *details("Town centre PSPO"),
        "A public spaces protection order (PSPO)",
        "Agreed in principle, or already decided",
    )
    assert state.node == "consult_after_decision"
    assert [d.id for d in duties_of(chart, state)] == ["pspo", "equality"]


def test_community_garden_run_by_residents_is_empower(chart: Flowchart) -> None:
    state = walk(
        chart,
        *details("Community garden on Elm Street", "A few people or one street"),
        *no_duty("They will help run or deliver it themselves"),
    )
    outcome = outcome_of(chart, state)
    assert outcome is not None and (outcome.id, outcome.level) == ("empower", "empower")
    assert size_of(chart, state) == "small"
    assert "Participatory budgeting" not in outcome.methods_for("small")
    assert "Participatory budgeting" in outcome.methods_for("borough")


def test_staff_only_it_change_is_informed(chart: Flowchart) -> None:
    state = walk(chart, "New laptop login", "Only council staff", "No, no jobs or terms change")
    outcome = outcome_of(chart, state)
    assert outcome is not None and (outcome.id, outcome.level) == ("inform_staff", "inform")
    assert [d.id for d in duties_of(chart, state)] == ["equality"]  # every ending has it
    assert size_of(chart, state) is None and outcome.methods_for(None)


def test_an_emergency_is_its_own_route(chart: Flowchart) -> None:
    outcome = ends(chart, "Pool roof unsafe", PUBLIC, "Yes, it's an emergency", NO_DUTY)
    assert (outcome.id, outcome.level) == ("emergency", "inform")


def test_repeat_survey_of_tenants_reuses_results(chart: Flowchart) -> None:
    outcome = ends(chart, *details("Tenant satisfaction survey"), *no_duty()[:3], "Yes, recently")
    assert outcome.id == "reuse"
    assert any("engagement register" in s for s in outcome.next_steps)
    assert chart.nodes["recent"].search_register


def test_protected_groups_bring_in_an_equality_assessment(chart: Flowchart) -> None:
    answers = list(details("Summer events in Stanley Park"))
    answers[4] = "Yes, or it might"
    state = walk(chart, *answers, *no_duty("They can help shape the options and decide with us"))
    assert state.node == "involve"
    assert [d.id for d in duties_of(chart, state)] == ["equality_assessment", "equality"]


def test_unsure_about_legal_duty_says_ask_legal_services(chart: Flowchart) -> None:
    outcome = ends(chart, *details("Close a day centre"), "Not sure")
    assert (outcome.id, outcome.level) == ("consult_check_legal", "consult")
    assert any("Ask legal services" in s for s in outcome.next_steps)


def test_unsure_about_expectation_also_says_ask_legal_services(chart: Flowchart) -> None:
    outcome = ends(chart, *details("Change opening hours"), NO_DUTY, "Not sure")
    assert outcome.id == "consult_check_legal"


def test_every_statutory_answer_names_a_law_and_who_to_consult(chart: Flowchart) -> None:
    at_law = walk(chart, *details("A proposal"))
    statutes = [a for a in answers_at(chart, at_law, chart.nodes["legal_duty"]) if a.duties]
    assert len(statutes) >= 12  # England's common duties
    for answer in statutes:
        for duty in (chart.duties[d] for d in answer.duties):
            assert duty.law and duty.asks and duty.who, duty.id


def test_remaining_is_the_longest_way_to_an_outcome(chart: Flowchart) -> None:
    assert remaining(chart, "title") == 15
    assert remaining(chart, "legal_duty") == 5  # legal, fairness, decided, recent, influence
    assert remaining(chart, "decided_duty") == 1
    assert remaining(chart, "consult") == 0


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
        PUBLIC,
        PLANNED,
        "One neighbourhood or ward",
        NEITHER,
        "Library users and Moor Lane residents",
        "Moor Lane ward",
        "March 2027",
        "skip",
        "£1,500",
        NO_DUTY,
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
    assert state.path[-1] == ("legal_duty", NO_DUTY)


def test_numbered_prefix_and_any_case_answers(chart: Flowchart) -> None:
    at_urgent = walk(chart, "Play area", "2")
    assert at_urgent.node == "urgent"
    assert at_urgent.path[-1] == ("who", PUBLIC)  # the label is recorded, not the number
    assert walk(chart, "Play area", "only").node == "staff_law"  # unique start of a label
    assert walk(chart, "Play area", PUBLIC, "YES, IT\u2019S AN EMERGENCY").node == "emergency_law"


def test_back_undoes_the_last_answer_and_what_it_collected(chart: Flowchart) -> None:
    borough = "The whole borough, or a service many people use"
    state = walk(chart, "Play area", PUBLIC, PLANNED, borough)
    assert collected(state)["significance"] == "whole borough"
    assert size_of(chart, state) == "borough"
    back = step(chart, state, "back")
    assert back.node == "size"
    assert "significance" not in collected(back) and size_of(chart, back) is None
    assert back == walk(chart, "Play area", PUBLIC, PLANNED)


def test_back_from_an_outcome_returns_to_the_last_question(chart: Flowchart) -> None:
    state = walk(chart, "Play area", "Only council staff")
    assert step(chart, state, "Back").node == "who"


def test_back_at_the_first_question_is_explained(chart: Flowchart) -> None:
    with pytest.raises(WalkError, match="first question"):
        step(chart, begin(chart), "back")


def test_start_again(chart: Flowchart) -> None:
    state = walk(chart, "Play area", PUBLIC, PLANNED)
    assert step(chart, state, "start again") == begin(chart)


def test_unknown_answer_lists_the_options(chart: Flowchart) -> None:
    state = walk(chart, "Play area")
    with pytest.raises(WalkError) as err:
        step(chart, state, "maybe")
    message = str(err.value)
    assert '"maybe"' in message
    assert '1. "Only council staff"' in message and f'2. "{PUBLIC}"' in message


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
        step(chart, walk(chart, "Play area", "Only council staff", "No, no jobs"), "yes")


def test_step_is_pure(chart: Flowchart) -> None:
    state = walk(chart, "Play area")
    step(chart, state, PUBLIC)
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
        ("unknown_duty.yaml", 'answer "Yes" names duty "psp0", which is not under duties'),
        ("unknown_duty.yaml", 'always names duty "equality", which is not under duties'),
        ("unknown_size.yaml", 'answer "Everyone" sets size "huge", which is not under sizes'),
        ("methods_missing_size.yaml", 'outcome "done": methods for size large are missing'),
        ("sizeless_methods.yaml", 'outcome "done" lists methods by size, but a walk can reach'),
    ],
)
def test_broken_flowcharts_are_rejected(fixture: str, expected: str) -> None:
    path = BROKEN / fixture
    problems = check(path)
    assert any(expected in p for p in problems), problems
    with pytest.raises(FlowchartError) as err:
        load(path)
    assert err.value.problems == problems
    counted = f"{len(problems)} problem" + ("s" if len(problems) != 1 else "")  # "1 problem"
    assert str(err.value).startswith(f"The flowchart {path} has {counted}:\n- ")


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


def test_a_duty_without_its_law_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "duty.yaml"
    text = (BROKEN / "unknown_duty.yaml").read_text(encoding="utf-8")
    path.write_text(
        text.replace("psp0", "pspo").replace("    law: Anti-social", "    lore: Anti-social"),
        encoding="utf-8",
    )
    problems = check(path)
    assert any(p.startswith('duty "pspo": "law" is missing') for p in problems), problems
    assert any('duty "pspo": unknown key "lore"' in p for p in problems), problems


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
