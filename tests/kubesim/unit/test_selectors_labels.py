"""Label selectors: the string parser, its exact errors, structured selectors and rendering."""

from __future__ import annotations

import pytest

from kubesim.api.selectors import (
    EVERYTHING,
    NOTHING,
    SelectorError,
    describe_label_selector,
    format_label_selector,
    format_labels,
    parse_label_selector,
    parse_selector,
    selector_from_label_selector,
    selector_from_set,
)
from kubesim.api.status import StatusError

KEY_REGEX = "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]'"
VALUE_REGEX = "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?'"
NAME_PART = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and "
    "end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex "
    f"used for validation is {KEY_REGEX})"
)
VALUE_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
    f"'my_value',  or '12345', regex used for validation is {VALUE_REGEX})"
)


def error_of(text: str) -> str:
    with pytest.raises(SelectorError) as info:
        parse_label_selector(text)
    return str(info.value)


@pytest.mark.parametrize(
    ("text", "rendered"),
    [
        ("a=b", "a=b"),
        ("a==b", "a==b"),
        ("a!=b", "a!=b"),
        ("env in (prod, dev)", "env in (dev,prod)"),
        ("env notin (prod)", "env notin (prod)"),
        ("a", "a"),
        ("!a", "!a"),
        ("k>1", "k>1"),
        ("k<10", "k<10"),
        ("  a = b ,  c  ", "a=b,c"),
        ("z=1,a=2", "a=2,z=1"),
        ("x in (foo,,baz),y,z notin ()", "x in (,baz,foo),y,z notin ()"),
        ("a=", "a="),
        ("in in (in)", "in in (in)"),
    ],
)
def test_the_parser_accepts_the_documented_syntax_and_renders_it_sorted(
    text: str, rendered: str
) -> None:
    assert str(parse_label_selector(text)) == rendered


def test_an_empty_or_blank_selector_selects_everything() -> None:
    assert parse_label_selector("").empty
    assert parse_label_selector(" \t ").matches({})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a b", "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"),
        ("a=b=c", "found '=', expected: ',' or 'end of string'"),
        ("=a", "found '=', expected: !, identifier, or 'end of string'"),
        ("a,", "found '', expected: identifier after ','"),
        ("a=b,,c", "found ',', expected: identifier after ','"),
        ("a in b", "unable to parse requirement: found 'b' expected: '('"),
        ("a in (b", "unable to parse requirement: found '', expected: ',' or ')'"),
        ("a in (b c)", "unable to parse requirement: found 'c', expected: ',' or ')'"),
        ("a in (b,", "unable to parse requirement: found '', expected: ',', or identifier"),
        ("a in (=)", "unable to parse requirement: found '=', expected: ',', ')' or identifier"),
        ("!", "unable to parse requirement: found '', expected: identifier"),
        ("a=(b)", "unable to parse requirement: found '(', expected: identifier"),
        ("a!b", "unable to parse requirement: found '!', expected: in, notin, =, ==, !=, gt, lt"),
        ("!a=b", "found '=', expected: ',' or 'end of string'"),
    ],
)
def test_syntax_errors_carry_the_real_parser_message(text: str, message: str) -> None:
    assert error_of(text) == message


def test_an_invalid_key_is_reported_with_the_nil_field_path() -> None:
    assert (
        error_of("-a=b") == f'unable to parse requirement: <nil>: Invalid value: "-a": {NAME_PART}'
    )


def test_a_key_with_two_slashes_is_not_a_qualified_name() -> None:
    assert error_of("a/b/c").startswith(
        'unable to parse requirement: <nil>: Invalid value: "a/b/c": a qualified name must '
    )
    assert error_of("a/b/c").endswith(
        "with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
    )


def test_an_uppercase_key_prefix_fails_the_dns_subdomain_check() -> None:
    assert error_of("Example.com/x=1") == (
        'unable to parse requirement: <nil>: Invalid value: "Example.com/x": prefix part a '
        "lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "
        "or '.', and must start and end with an alphanumeric character (e.g. 'example.com', "
        r"regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*"
        r"[a-z0-9])?)*')"
    )


def test_a_too_long_key_name_reports_the_length() -> None:
    message = error_of("a" * 64)
    assert "name part must be no more than 63 characters" in message


def test_an_invalid_value_is_reported_under_its_values_path() -> None:
    assert error_of("app=-x") == (
        f'unable to parse requirement: values[0][app]: Invalid value: "-x": {VALUE_MSG}'
    )


def test_gt_with_a_non_integer_value_is_rejected() -> None:
    assert error_of("k>a") == (
        "unable to parse requirement: values[0]: Invalid value: \"a\": for 'Gt', 'Lt' "
        "operators, the value must be an integer"
    )


def test_parse_selector_answers_400_bad_request_with_the_parser_message() -> None:
    with pytest.raises(StatusError) as info:
        parse_selector("a b")
    assert info.value.code == 400
    assert info.value.reason == "BadRequest"
    assert info.value.message.startswith("unable to parse requirement: found 'b'")


@pytest.mark.parametrize(
    ("text", "labels", "expected"),
    [
        ("app=web", {"app": "web"}, True),
        ("app=web", {"app": "db"}, False),
        ("app=web", {}, False),
        ("app!=web", {}, True),
        ("app!=web", {"app": "web"}, False),
        ("tier in (a,b)", {"tier": "b"}, True),
        ("tier in (a,b)", {}, False),
        ("tier notin (a,b)", {}, True),
        ("tier notin (a,b)", {"tier": "a"}, False),
        ("app", {"app": ""}, True),
        ("!app", {"app": ""}, False),
        ("!app", {"other": "x"}, True),
        ("k>5", {"k": "6"}, True),
        ("k>5", {"k": "5"}, False),
        ("k<5", {"k": "-3"}, True),
        ("k>5", {"k": "six"}, False),
        ("k>5", {}, False),
        ("a=1,b=2", {"a": "1", "b": "2"}, True),
        ("a=1,b=2", {"a": "1"}, False),
        ("a=", {"a": ""}, True),
        ("a=", {}, False),
    ],
)
def test_matching_follows_requirement_semantics(
    text: str, labels: dict[str, str], expected: bool
) -> None:
    assert parse_label_selector(text).matches(labels) is expected


def test_requires_exact_match_finds_equality_and_single_value_in() -> None:
    assert parse_label_selector("a=1,b in (2)").requires_exact_match("b") == "2"
    assert parse_label_selector("a in (1,2)").requires_exact_match("a") is None
    assert parse_label_selector("a!=1").requires_exact_match("a") is None


def test_a_structured_selector_combines_match_labels_and_expressions_sorted_by_key() -> None:
    spec = {
        "matchLabels": {"tier": "web", "app": "shop"},
        "matchExpressions": [
            {"key": "env", "operator": "In", "values": ["prod", "dev"]},
            {"key": "canary", "operator": "DoesNotExist"},
            {"key": "zone", "operator": "Exists"},
            {"key": "team", "operator": "NotIn", "values": ["x"]},
        ],
    }
    selector = selector_from_label_selector(spec)
    assert str(selector) == "app=shop,!canary,env in (dev,prod),team notin (x),tier=web,zone"
    assert selector.matches({"app": "shop", "tier": "web", "env": "dev", "zone": "a"})
    assert not selector.matches({"app": "shop", "tier": "web", "env": "dev", "canary": "1"})


def test_a_nil_structured_selector_selects_nothing_and_an_empty_one_everything() -> None:
    assert selector_from_label_selector(None) is NOTHING
    assert not NOTHING.matches({})
    assert selector_from_label_selector({}) == EVERYTHING
    assert selector_from_label_selector({"matchLabels": {}}).matches({"x": "y"})


def test_an_unknown_structured_operator_is_rejected() -> None:
    with pytest.raises(SelectorError) as info:
        selector_from_label_selector({"matchExpressions": [{"key": "a", "operator": "Gt"}]})
    assert str(info.value) == '"Gt" is not a valid label selector operator'


def test_an_in_expression_without_values_reports_the_empty_set() -> None:
    with pytest.raises(SelectorError) as info:
        selector_from_label_selector({"matchExpressions": [{"key": "a", "operator": "In"}]})
    assert str(info.value) == (
        "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty"
    )


def test_several_requirement_errors_are_aggregated_in_brackets() -> None:
    with pytest.raises(SelectorError) as info:
        selector_from_label_selector({"matchLabels": {"-bad": "-worse"}})
    message = str(info.value)
    assert message.startswith('[key: Invalid value: "-bad": name part must')
    assert 'values[0][-bad]: Invalid value: "-worse": a valid label' in message


def test_format_label_selector_is_what_scale_status_selector_reports() -> None:
    spec = {"matchLabels": {"b": "2", "a": "1"}}
    assert format_label_selector(spec) == "a=1,b=2"
    assert format_label_selector({}) == ""
    assert format_label_selector(None) == ""


def test_describe_label_selector_shows_none_and_error_for_display() -> None:
    assert describe_label_selector({}) == "<none>"
    assert describe_label_selector({"matchLabels": {"-x": "y"}}) == "<error>"
    assert describe_label_selector({"matchLabels": {"app": "web"}}) == "app=web"


def test_format_labels_sorts_whole_pairs_and_shows_none_when_empty() -> None:
    # Go sorts "key=value" strings, so "a-b=1" ('-' < '=') comes before "a=1".
    assert format_labels({"a": "1", "a-b": "1"}) == "a-b=1,a=1"
    assert format_labels({}) == "<none>"
    assert format_labels(None) == "<none>"


def test_selector_from_set_is_equality_on_every_pair() -> None:
    selector = selector_from_set({"app": "web", "tier": "fe"})
    assert str(selector) == "app=web,tier=fe"
    assert selector.matches({"app": "web", "tier": "fe", "x": "y"})
    assert not selector.matches({"app": "web"})
    assert selector_from_set({}).matches({})


def test_a_value_with_a_trailing_newline_is_not_a_valid_label_value() -> None:
    with pytest.raises(SelectorError):
        selector_from_label_selector({"matchLabels": {"a": "b\n"}})
