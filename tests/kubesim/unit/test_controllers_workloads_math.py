"""Pure workload arithmetic: hashes, surge/unavailability fenceposts, revision history."""

from __future__ import annotations

import pytest

from kubesim.controllers import deployment_util as du
from kubesim.controllers import pods_fit
from kubesim.controllers.hashing import (
    fnv1_32,
    pod_template_hash,
    revision_hash,
    revision_patch,
    safe_encode,
)


def rolling(replicas: int, surge: object, unavailable: object) -> dict[str, object]:
    return {
        "metadata": {"name": "d"},
        "spec": {
            "replicas": replicas,
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxSurge": surge, "maxUnavailable": unavailable},
            },
        },
    }


def test_safe_encode_maps_digits_into_the_vowel_free_alphabet() -> None:
    assert safe_encode("0123456789") == "456789bcdf"


def test_fnv1_matches_the_reference_vectors() -> None:
    assert fnv1_32(b"") == 0x811C9DC5
    assert fnv1_32(b"a") == 0x050C5D7E
    assert fnv1_32(b"foobar") == 0x31F0B262


def test_a_revision_hash_is_fnv1_of_the_patch_and_the_collision_count() -> None:
    raw = b'{"spec":{}}'
    assert revision_hash(raw, 0) == safe_encode(str(fnv1_32(raw + b"0")))
    assert revision_hash(raw, 0) != revision_hash(raw, 1)


def test_a_revision_patch_is_go_json_with_a_replace_directive() -> None:
    template = {"metadata": {"labels": {"b": "<x>", "a": "1"}}, "spec": {"containers": []}}
    assert revision_patch(template) == (
        b'{"spec":{"template":{"$patch":"replace","metadata":{"creationTimestamp":null,'
        b'"labels":{"a":"1","b":"\\u003cx\\u003e"}},"spec":{"containers":[]}}}}'
    )


def test_pod_template_hashes_depend_on_template_and_collision_count() -> None:
    template = {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": []}}
    first = pod_template_hash(template)
    assert first == pod_template_hash(
        {"spec": {"containers": []}, "metadata": {"labels": {"app": "web"}}}
    )
    assert first != pod_template_hash(template, 1)
    assert set(first) <= set("456789bcdf")


@pytest.mark.parametrize(
    ("replicas", "surge", "unavailable", "expected"),
    [
        (10, "25%", "25%", (3, 2)),
        (4, "25%", "25%", (1, 1)),
        (1, "25%", "25%", (1, 0)),
        (3, 0, "10%", (0, 1)),
        (5, 2, 0, (2, 0)),
    ],
)
def test_fenceposts_round_surge_up_and_unavailable_down(
    replicas: int, surge: object, unavailable: object, expected: tuple[int, int]
) -> None:
    d = rolling(replicas, surge, unavailable)
    assert (du.max_surge(d), du.max_unavailable(d)) == expected


def test_recreate_allows_neither_surge_nor_unavailability() -> None:
    d = {"metadata": {"name": "d"}, "spec": {"replicas": 3, "strategy": {"type": "Recreate"}}}
    assert (du.max_surge(d), du.max_unavailable(d)) == (0, 0)


def test_a_reused_replicaset_appends_its_old_revision_to_the_history() -> None:
    d = rolling(2, 1, 0)
    rs = {"metadata": {"annotations": {du.REVISION: "1"}}}
    assert du.set_new_rs_annotations(d, rs, 3, exists=True)
    assert rs["metadata"]["annotations"] == {du.REVISION: "3", du.REVISION_HISTORY: "1"}
    assert du.set_new_rs_annotations(d, rs, 5, exists=True)
    assert rs["metadata"]["annotations"][du.REVISION_HISTORY] == "1,3"


def test_proportional_scaling_rounds_half_away_from_zero() -> None:
    d = rolling(15, 3, 0)
    rs = {"metadata": {"annotations": {du.MAX_REPLICAS: "12"}}, "spec": {"replicas": 5}}
    assert du.proportion(rs, d, 8, 0) == 3


def test_the_fit_error_lists_reasons_sorted_with_counts() -> None:
    message = pods_fit.fit_error(
        3, [pods_fit.REASON_AFFINITY, pods_fit.REASON_UNSCHEDULABLE, pods_fit.REASON_AFFINITY]
    )
    assert message == (
        "0/3 nodes are available: 1 node(s) were unschedulable, 2 node(s) didn't match Pod's "
        "node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not "
        "helpful for scheduling."
    )


def test_templates_equal_apart_from_the_hash_label_and_zero_values() -> None:
    base = {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "a"}]}}
    hashed = {
        "metadata": {"labels": {"app": "web", "pod-template-hash": "abc"}, "annotations": {}},
        "spec": {"containers": [{"name": "a", "env": None, "ports": []}]},
    }
    assert du.equal_ignore_hash(base, hashed)
    changed = {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "b"}]}}
    assert not du.equal_ignore_hash(base, changed)
