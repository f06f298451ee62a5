"""DMN as Camunda 7 evaluates it, table by table (engine/dmn_*.py): FEEL simple unary tests and
expressions run in the sandbox, every hit policy and aggregation, every mapDecisionResult,
decision requirements and literal expressions, JUEL entries, and what is refused at deploy."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from lxml import etree

from engine.dmn_eval import DecisionFailed, map_result, run_decisions
from engine.dmn_feel import FeelRefused, translate_expression, translate_tests
from engine.dmn_model import graph_of, read_decisions
from engine.dmn_values import FEEL_HELPERS
from engine.errors import InvalidDefinition
from engine.juel import juel_helpers
from engine.sandbox import Sandbox

SANDBOX = Sandbox(juel_helpers(lambda: datetime(2026, 3, 1, tzinfo=UTC), UTC))
DMN_NS = "https://www.omg.org/spec/DMN/20191111/MODEL/"


def evaluate(code: str, scope: dict[str, Any]) -> Any:
    return SANDBOX.evaluate(code, scope)


def passes(entry: str, value: Any, **variables: Any) -> bool:
    code = translate_tests(entry)
    scope = {**FEEL_HELPERS, "dmn_vars": variables, "dmn_cell": value}
    return evaluate(f"feel_is_true({code})", scope) is True


@pytest.mark.parametrize(
    ("entry", "value", "expected"),
    [
        ("< 10", 5, True),
        ("< 10", 10, False),
        ("< 10", None, False),
        ("< 10", "5", False),
        ("<= 10", 10.0, True),
        (">= limit", 3, True),
        ("> limit", 3, False),
        ("= 3", 3.0, True),
        ("!= 3", 4, True),
        ("[1..10]", 10, True),
        ("[1..10]", 0, False),
        ("]1..10[", 1, False),
        ("]1..10[", 10, False),
        ("]1..10[", 5, True),
        ("(1..10)", 1, False),
        ("[1..10)", 10, False),
        ("[1.5..2.5]", 2, True),
        ("[-5..-1]", -3, True),
        ('"Travel"', "Travel", True),
        ('"Travel"', "travel", False),
        ('"a","b"', "b", True),
        ('"a","b"', "c", False),
        ('not("a","b")', "c", True),
        ('not("a","b")', "a", False),
        ("not(< 3)", 5, True),
        ("not(< 3)", None, False),
        ("-", None, True),
        ("", "anything", True),
        ("true", True, True),
        ("false", True, False),
        ("-5", -5, True),
        ("limit", 3, True),
        ('"say \\"hi\\""', 'say "hi"', True),
        ('date("2026-01-01")', date(2026, 1, 1), True),
        ('> date("2026-01-01")', date(2026, 2, 1), True),
        ('< date("2026-01-01")', "2025-01-01", False),
        ('[date("2026-01-01")..date("2026-12-31")]', date(2026, 6, 1), True),
        ("? > 5 and ? < 8", 6, True),
        ("? > 5 and ? < 8", 9, False),
        ("limit > 2", "whatever", True),
        ("[1, 2, 3]", 2, True),
        ("cellInput > 2 and cellInput < 4", 3, True),
        # `in` and `between` as Camunda's FEEL engine reads them in input entries
        ("? in [1..5]", 5, True),
        ("? in (1..5)", 5, False),
        ("cellInput in (1, 2, >= 10)", 12, True),
        ("cellInput in (1, 2, >= 10)", 5, False),
        ('? in ["a", "b"]', "b", True),
        ("? between 1 and 5", 5, True),
        ("? between 1 and 5", 6, False),
        ("limit between 1 and 5", "whatever", True),
        ("not(? in [1..3])", 4, True),
        ("list contains(?, 3)", [1, 3], True),
        ("list contains(?, 3)", [1, 2], False),
        ('matches(?, "^HĐ-[0-9]+$")', "HĐ-12", True),
        ('matches(?, "^HĐ-[0-9]+$")', "HD-12", False),
        ('matches(?, "(a+)+$")', "aaaa", False),  # a pattern that could run for ever: null
        ('< @"2026-01-01"', date(2025, 12, 31), True),
        ('? + @"P1M" = @"2026-03-31"', date(2026, 2, 28), False),
        ('? + @"P1M" = @"2026-02-28"', date(2026, 1, 31), True),
        ('? - @"P1D" < @"2026-01-01"', date(2026, 1, 1), True),
    ],
)
def test_feel_unary_tests(entry: str, value: Any, expected: bool) -> None:
    assert passes(entry, value, limit=3) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("amount + 1", 11),
        ("amount * 2 - 1", 19),
        ("amount / 4", 2.5),
        ("2 ** 3", 8),
        ('if amount > 5 then "big" else "small"', "big"),
        ('upper case("abc")', "ABC"),
        ('lower case(name) + "!"', "an!"),
        ("invoice.total", 99),
        ("invoice.missing", None),
        ("missing + 1", None),
        ('"a" + 1', None),
        ("amount > 5 and amount < 20", True),
        ("amount > 5 or missing", True),
        ("not(amount > 5)", False),
        ('date("2026-02-03")', date(2026, 2, 3)),
        ('date and time("2026-02-03T10:00:00")', datetime(2026, 2, 3, 10)),
        ('number("12.5")', 12.5),
        ("string(amount)", "10"),
        ("abs(-4)", 4),
        ("[amount, 2]", [10, 2]),
        ("floor(2.5) + ceiling(2.5)", 5),
        ('string length("abc")', 3),
        ('contains(name, "n")', True),
        ('starts with(name, "A") and ends with(name, "x")', False),
        ("count([1, 2]) + sum([1, 2]) + min([4, 3]) + max([4, 3])", 12),
        ("today()", date(2026, 3, 1)),
        ("now()", datetime(2026, 3, 1, tzinfo=UTC)),
        ("null", None),
        ("", None),
    ],
)
def test_feel_expressions(text: str, expected: Any) -> None:
    variables = {"amount": 10, "name": "An", "invoice": {"total": 99}}
    scope = {**FEEL_HELPERS, "dmn_vars": variables}
    assert evaluate(translate_expression(text), scope) == expected


@pytest.mark.parametrize(
    ("text", "tests", "words"),
    [
        ("x instance of number", False, "unexpected text"),
        ("sublist(x, 1)", False, "not part of the FEEL subset"),
        ('@"10:00"', False, "not a date, date and time or duration"),
        ("a ; b", False, "';'"),
        ("? > 1", False, "only allowed in input entries"),
        ('"open', True, "'\"'"),
        (">", True, "expected a value"),
        ("[1..", True, "expected a value"),
        ("[1..2", True, "a range ends with"),
        ('contains("a")', False, "contains() takes 2 arguments"),
        ("today(1)", False, "today() takes 0 arguments"),
        ("not(1", True, "expected ')'"),
    ],
)
def test_feel_outside_the_subset_is_refused(text: str, tests: bool, words: str) -> None:
    with pytest.raises(FeelRefused) as caught:
        (translate_tests if tests else translate_expression)(text)
    assert words in caught.value.message


# --- decision tables --------------------------------------------------------------------------


def table(
    policy: str,
    rules: list[tuple[str, str]],
    *,
    aggregation: str = "",
    output_values: str = "",
    type_ref: str = "string",
) -> str:
    attributes = f' hitPolicy="{policy}"' + (f' aggregation="{aggregation}"' if aggregation else "")
    values = f"<outputValues><text>{output_values}</text></outputValues>" if output_values else ""
    body = "".join(
        f'<rule id="r{n}"><inputEntry id="r{n}_in"><text>{test}</text></inputEntry>'
        f'<outputEntry id="r{n}_out"><text>{out}</text></outputEntry></rule>'
        for n, (test, out) in enumerate(rules, 1)
    )
    return (
        f'<decision id="pick" name="Pick"><decisionTable id="t"{attributes}>'
        '<input id="i"><inputExpression id="ie" typeRef="integer"><text>n</text>'
        f'</inputExpression></input><output id="o" name="out" typeRef="{type_ref}">{values}'
        f"</output>{body}</decisionTable></decision>"
    )


def definitions(*decisions: str) -> Any:
    text = f'<definitions xmlns="{DMN_NS}" id="d" name="d" namespace="x">{"".join(decisions)}'
    return etree.fromstring((text + "</definitions>").encode())


def decide(xml: str, decision_id: str = "pick", **data: Any) -> tuple[Any, list[Any]]:
    decisions = read_decisions("t.dmn", definitions(xml))
    result, traces = run_decisions(graph_of(decisions, decision_id), data, evaluate)
    return result, traces


LETTERS = [("&lt; 10", '"a"'), ("&lt; 20", '"b"'), ("&gt;= 0", '"c"')]


@pytest.mark.parametrize(
    ("policy", "n", "expected", "matched"),
    [
        ("UNIQUE", 25, ["c"], ["r3"]),
        ("FIRST", 5, ["a"], ["r1"]),
        ("FIRST", 15, ["b"], ["r2"]),
        ("PRIORITY", 5, ["c"], ["r3"]),
        ("COLLECT", 5, ["a", "b", "c"], ["r1", "r2", "r3"]),
        ("COLLECT", -1, ["a", "b"], ["r1", "r2"]),
        ("RULE ORDER", 15, ["b", "c"], ["r2", "r3"]),
        ("RULE_ORDER", 15, ["b", "c"], ["r2", "r3"]),
        ("OUTPUT ORDER", 5, ["c", "b", "a"], ["r3", "r2", "r1"]),
        ("COLLECT", None, [], []),
    ],
)
def test_hit_policies(policy: str, n: Any, expected: list[str], matched: list[str]) -> None:
    xml = table(policy, LETTERS, output_values='"c","b","a"')
    result, [trace] = decide(xml, n=n)
    assert [row["out"] for row in result] == expected
    assert list(trace.matched) == matched


def test_unique_with_two_matches_names_the_rules() -> None:
    with pytest.raises(DecisionFailed) as caught:
        decide(table("UNIQUE", LETTERS), n=15)
    assert "decision 'pick' (hit policy UNIQUE)" in caught.value.message
    assert "r2, r3" in caught.value.message and caught.value.decision_id == "pick"


def test_any_needs_equal_outputs() -> None:
    same = [("&lt; 10", '"a"'), ("&lt; 20", '"a"')]
    assert decide(table("ANY", same), n=5)[0] == [{"out": "a"}]
    with pytest.raises(DecisionFailed, match="different outputs"):
        decide(table("ANY", LETTERS), n=5)


NUMBERS = [("&lt; 10", "1"), ("&lt; 20", "2"), ("&gt;= 0", "4")]


@pytest.mark.parametrize(
    ("aggregation", "n", "expected"),
    [
        ("SUM", 5, [{"out": 7}]),
        ("MIN", 5, [{"out": 1}]),
        ("MAX", 5, [{"out": 4}]),
        ("COUNT", 5, [{"out": 3}]),
        ("SUM", 25, [{"out": 4}]),
        ("SUM", "not a number", []),
        ("COUNT", "not a number", [{"out": 0}]),
    ],
)
def test_collect_aggregations(aggregation: str, n: Any, expected: list[Any]) -> None:
    xml = table("COLLECT", NUMBERS, aggregation=aggregation, type_ref="integer")
    assert decide(xml, n=n)[0] == expected


def test_sum_of_texts_fails() -> None:
    with pytest.raises(DecisionFailed, match="cannot sum"):
        decide(table("COLLECT", LETTERS, aggregation="SUM"), n=5)


@pytest.mark.parametrize(
    ("mapping", "result", "expected"),
    [
        ("resultList", [{"a": 1, "b": 2}], [{"a": 1, "b": 2}]),
        ("resultList", [], []),
        ("singleResult", [{"a": 1, "b": 2}], {"a": 1, "b": 2}),
        ("singleResult", [], None),
        ("singleEntry", [{"a": 1}], 1),
        ("singleEntry", [], None),
        ("collectEntries", [{"a": 1}, {"a": 2}], [1, 2]),
        ("collectEntries", [], []),
    ],
)
def test_map_decision_result(mapping: str, result: list[Any], expected: Any) -> None:
    assert map_result(result, mapping, "d") == expected


@pytest.mark.parametrize(
    ("mapping", "result"),
    [
        ("singleResult", [{"a": 1}, {"a": 2}]),
        ("singleEntry", [{"a": 1}, {"a": 2}]),
        ("singleEntry", [{"a": 1, "b": 2}]),
        ("collectEntries", [{"a": 1, "b": 2}]),
    ],
)
def test_map_decision_result_refuses_what_does_not_fit(mapping: str, result: list[Any]) -> None:
    with pytest.raises(DecisionFailed, match=mapping):
        map_result(result, mapping, "d")


def test_required_decisions_run_first_and_are_seen_by_id_and_output_name() -> None:
    size = table("UNIQUE", [("&lt; 10", '"small"'), ("&gt;= 10", '"large"')])
    size = size.replace('id="pick" name="Pick"', 'id="size" name="Size"').replace(
        'name="out"', 'name="sizeClass"'
    )
    label = (
        '<decision id="label"><informationRequirement><requiredDecision href="#size"/>'
        '</informationRequirement><variable name="label"/><literalExpression>'
        '<text>size + "/" + sizeClass</text></literalExpression></decision>'
    )
    decisions = read_decisions("t.dmn", definitions(label, size))
    result, traces = run_decisions(graph_of(decisions, "label"), {"n": 12}, evaluate)
    assert result == [{"label": "large/large"}]
    assert [t.decision_id for t in traces] == ["size", "label"]


def test_the_input_variable_names_the_input_in_its_tests() -> None:
    xml = table("FIRST", [("amount &gt; 3", '"big"'), ("-", '"small"')]).replace(
        '<input id="i">', '<input id="i" camunda:inputVariable="amount">'
    )
    xml = xml.replace('<decision id="pick"', '<decision xmlns:camunda="x" id="pick"')
    xml = xml.replace('xmlns:camunda="x"', 'xmlns:camunda="http://camunda.org/schema/1.0/dmn"')
    assert decide(xml, n=5)[0] == [{"out": "big"}]
    assert decide(xml, n=2)[0] == [{"out": "small"}]


def test_juel_entries_and_expressions() -> None:
    xml = table("FIRST", [("${cellInput &gt; 3}", "${n * 2}"), ("-", '"none"')])
    assert decide(xml, n=5)[0] == [{"out": 10}]
    assert decide(xml, n=1)[0] == [{"out": "none"}]


@pytest.mark.parametrize(
    ("xml", "element", "words"),
    [
        (table("SOMETIMES", LETTERS), "t", "unknown hit policy"),
        (table("FIRST", LETTERS, aggregation="SUM"), "t", "only allowed with hit policy"),
        (table("UNIQUE", [("[1..", '"a"')]), "r1_in", "refused decision expression"),
        (table("UNIQUE", [("1", "x y")]), "r1_out", "unexpected text"),
        (table("UNIQUE", [("1", '"a"')]).replace("<text>n</text>", "<text>?</text>"), "ie", "?"),
        (
            table("UNIQUE", LETTERS).replace(
                "<inputExpression", '<inputExpression expressionLanguage="groovy"'
            ),
            "ie",
            "'groovy' is not supported",
        ),
        (
            table("UNIQUE", LETTERS).replace(
                'name="Pick">',
                'name="Pick"><informationRequirement><requiredDecision href="#pick"/>'
                "</informationRequirement>",
            ),
            "pick",
            "cycle",
        ),
        (
            table("UNIQUE", LETTERS, output_values="x y"),
            "o",
            "output values",
        ),
    ],
)
def test_refused_at_deploy(xml: str, element: str, words: str) -> None:
    with pytest.raises(InvalidDefinition) as caught:
        read_decisions("t.dmn", definitions(xml))
    assert caught.value.details["element_id"] == element
    assert caught.value.details["file"] == "t.dmn"
    assert words in caught.value.message


@pytest.mark.parametrize(
    ("type_ref", "test", "value", "expected"),
    [
        ("integer", "&lt; 10", "5", ["yes"]),
        ("double", "[1.5..2.5]", "2.0", ["yes"]),
        ("integer", "&lt; 10", "five", []),
        ("date", '&lt; date("2026-01-01")', "2025-12-31", ["yes"]),
        ("date", '&lt; date("2026-01-01")', "2025-12-31T08:00:00", ["yes"]),
        ("date", '&lt; date("2026-01-01")', "2026-01-01", []),
        ("boolean", "true", "true", ["yes"]),
        ("string", '"5"', "5", ["yes"]),
    ],
)
def test_inputs_are_read_by_their_type_ref(
    type_ref: str, test: str, value: Any, expected: list[str]
) -> None:
    xml = table("COLLECT", [(test, '"yes"')]).replace('typeRef="integer"', f'typeRef="{type_ref}"')
    assert [row["out"] for row in decide(xml, n=value)[0]] == expected


def test_dmn_1_1_files_and_tables_without_inputs_read_the_same() -> None:
    text = (
        '<definitions xmlns="http://www.omg.org/spec/DMN/20151101/dmn.xsd" id="d" name="d" '
        'namespace="x"><decision id="always"><decisionTable id="t" hitPolicy="COLLECT">'
        '<output id="o" name="out"/><rule id="r1"><outputEntry id="e1"><text>"x"</text>'
        '</outputEntry></rule><rule id="r2"><outputEntry id="e2"><text></text></outputEntry>'
        "</rule></decisionTable></decision></definitions>"
    )
    decisions = read_decisions("old.dmn", etree.fromstring(text.encode()))
    result, [trace] = run_decisions(graph_of(decisions, "always"), {}, evaluate)
    assert result == [{"out": "x"}, {"out": None}] and trace.matched == ("r1", "r2")
