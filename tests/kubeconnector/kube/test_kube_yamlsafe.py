"""The YAML intake builds plain values from events and refuses dangerous documents early."""

from __future__ import annotations

import time
import tracemalloc

import pytest

from kubeconnector.errors import KubeconfigError
from kubeconnector.kube.yamlsafe import MAX_DEPTH, load_document

BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def _code(text: str) -> str:
    with pytest.raises(KubeconfigError) as caught:
        load_document(text)
    return caught.value.code


def test_a_document_becomes_plain_dicts_lists_and_scalars() -> None:
    text = "a: 1\nb: [true, null, 'x', 1.5, 0x10]\nc: {d: yes, e: '2024-01-01'}\nf: 2024-01-01\n"
    assert load_document(text) == {
        "a": 1,
        "b": [True, None, "x", 1.5, 16],
        "c": {"d": True, "e": "2024-01-01"},
        "f": "2024-01-01",
    }


def test_json_is_accepted_as_yaml() -> None:
    assert load_document('{"kind": "Config", "users": []}') == {"kind": "Config", "users": []}


def test_an_empty_document_is_none() -> None:
    assert load_document("") is None


def test_a_billion_laughs_document_is_refused_fast_with_little_memory() -> None:
    tracemalloc.start()
    started = time.perf_counter()
    try:
        assert _code(BILLION_LAUGHS) == "yaml-aliases"
    finally:
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert elapsed < 0.1
    assert peak < 1024 * 1024


def test_an_anchor_without_any_alias_is_refused_too() -> None:
    assert _code("a: &x 1\n") == "yaml-aliases"


def test_the_alias_refusal_says_why_and_where() -> None:
    with pytest.raises(KubeconfigError) as caught:
        load_document("ok: 1\nb: &b [1]\n")
    assert str(caught.value) == (
        "the kubeconfig uses YAML anchors or aliases (line 2); kubeconnector refuses them "
        "because they can expand a small document into a huge one"
    )


def test_a_document_over_one_mebibyte_is_refused_before_parsing() -> None:
    with pytest.raises(KubeconfigError) as caught:
        load_document("a: " + "x" * (1024 * 1024))
    assert caught.value.code == "too-large"
    assert str(caught.value) == "the kubeconfig is larger than 1024 KiB; refusing it"


def test_multibyte_text_is_measured_in_bytes() -> None:
    text = "a: " + "é" * (600 * 1024)
    assert len(text) < 1024 * 1024
    assert _code(text) == "too-large"


def test_a_syntax_error_gives_its_position_but_never_the_text() -> None:
    with pytest.raises(KubeconfigError) as caught:
        load_document("token: s3cr3t-value\n  bad: [unclosed\n")
    assert caught.value.code == "not-yaml"
    assert str(caught.value).startswith("the kubeconfig is not valid YAML: ")
    assert "line 2" in str(caught.value)
    assert "s3cr3t" not in str(caught.value)


def test_python_tags_are_refused() -> None:
    assert _code("a: !!python/object/apply:os.system ['true']\n") == "not-yaml"


def test_set_and_omap_tags_are_refused() -> None:
    assert _code("a: !!set {x: null}\n") == "not-yaml"


def test_a_repeated_key_is_refused() -> None:
    with pytest.raises(KubeconfigError) as caught:
        load_document("token: a\ntoken: b\n")
    assert str(caught.value) == "the kubeconfig repeats the key 'token'"


def test_a_collection_used_as_a_key_is_refused() -> None:
    assert _code("? [a, b]\n: 1\n") == "not-yaml"


def test_several_documents_are_refused() -> None:
    assert _code("a: 1\n---\nb: 2\n") == "not-kubeconfig"


def test_nesting_beyond_the_limit_is_refused() -> None:
    assert _code("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)) == "not-kubeconfig"


def test_nesting_up_to_the_limit_is_accepted() -> None:
    value = load_document("[" * MAX_DEPTH + "]" * MAX_DEPTH)
    for _ in range(MAX_DEPTH - 1):
        value = value[0]
    assert value == []


def test_an_integer_too_long_to_convert_is_refused() -> None:
    assert _code("a: " + "9" * 5000 + "\n") == "not-yaml"
