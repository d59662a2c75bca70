"""The shared action helpers that need no cluster: digests, data maps, guards, consumers."""

from __future__ import annotations

import string
from typing import Any

import pytest
from tests.kubeconnector.changes.secrets.secrets_support import b64

from kubeconnector.changes.helpers import (
    Digester,
    NamespaceView,
    account_runners,
    blast_radius,
    forceable_check,
    manager_guard,
    scrub,
    secret_consumers,
)
from kubeconnector.changes.helpers.params import build, parse_bool, parse_int, split_list
from kubeconnector.changes.helpers.restarts import manual_restarts, restart_step, restart_targets
from kubeconnector.changes.helpers.secret_data import (
    ALPHABETS,
    apply_changes,
    data_diff,
    generate_value,
    key_changes,
)
from kubeconnector.crypto import KeyRing
from kubeconnector.errors import InvalidInput
from kubeconnector.models.changes import DiffItem
from kubesim.scenarios import demo_secrets

DIGESTS = Digester(b"\x01" * 32)


def test_a_digest_is_an_hmac_prefixed_16_hex_digits_and_tells_values_apart() -> None:
    # HMAC-SHA256(key=0x01*32, "hunter2"), first 16 hex digits
    assert DIGESTS.value(b"hunter2") == "hmac:f26b540759235a9d"
    assert DIGESTS.value("hunter2") == DIGESTS.value(b"hunter2")
    assert DIGESTS.value(b"hunter3") != DIGESTS.value(b"hunter2")


def test_the_digest_of_one_value_differs_under_two_key_rings() -> None:
    one, two = KeyRing.generate(), KeyRing.generate()
    first, second = Digester.from_keys(one), Digester.from_keys(two)
    assert first.value(b"hunter2") != second.value(b"hunter2")
    assert first.value(b"hunter2") == Digester.from_keys(one).value(b"hunter2")
    # the unkeyed SHA-256 of the value is not what is shown
    assert "f52fbd32b2b3b86f" not in first.value(b"hunter2")
    assert "key=" not in repr(first) and repr(one.derive_key(b"x")) not in repr(first)


def test_the_digest_key_is_the_value_digest_subkey_of_the_active_master_key() -> None:
    ring = KeyRing.generate()
    assert Digester.from_keys(ring).key == ring.derive_key(b"kubeconnector value digest v1")
    assert ring.derive_key(b"kubeconnector audit chain v1") != Digester.from_keys(ring).key
    rotated = ring.with_new_active_key()
    assert Digester.from_keys(rotated).key != Digester.from_keys(ring).key


def test_data_digests_decode_base64_before_digesting_and_sort_keys() -> None:
    digests = DIGESTS.data({"b": b64("two"), "a": b64("one")})
    assert list(digests) == ["a", "b"]
    assert digests["a"] == DIGESTS.value(b"one")


def test_scrub_removes_raw_and_base64_forms_but_leaves_short_values() -> None:
    text = f"bad value s3cr3t-value and {b64('s3cr3t-value')} and abc"
    assert scrub(text, [b"s3cr3t-value", b"abc"]) == "bad value [redacted] and [redacted] and abc"


def test_apply_changes_sets_encodes_removes_and_sorts() -> None:
    data = {"z": b64("1"), "keep": b64("2"), "drop": b64("3")}
    result = apply_changes(data, {"new": b"4", "z": b"5"}, ["drop"])
    assert result == {"keep": b64("2"), "new": b64("4"), "z": b64("5")}


def test_key_changes_name_added_changed_and_removed_keys() -> None:
    changes = key_changes({"a": "1", "b": "2", "c": "3"}, {"a": "1", "b": "9", "d": "4"})
    assert changes.as_json() == {"added": ["d"], "changed": ["b"], "removed": ["c"]}
    assert changes.describe() == "key 'b' changed, key 'd' added, key 'c' removed"
    assert key_changes({"a": "1"}, {"a": "1"}).describe() == "no key changed"


def test_the_data_diff_shows_digests_and_describes_generated_values() -> None:
    old = {"pw": b64("old"), "gone": b64("x")}
    new = {"pw": b64("new"), "tok": b64("placeholder")}
    diff = data_diff(DIGESTS, old, new, {"tok": "generated: 8 hex characters"})
    assert diff == (
        DiffItem(path="data.gone", op="remove", old=DIGESTS.value(b"x")),
        DiffItem(path="data.pw", op="change", old=DIGESTS.value(b"old"), new=DIGESTS.value(b"new")),
        DiffItem(path="data.tok", op="add", new="generated: 8 hex characters"),
    )


@pytest.mark.parametrize("alphabet", sorted(ALPHABETS))
def test_generated_values_have_the_length_and_alphabet_asked(alphabet: str) -> None:
    value = generate_value(64, alphabet).decode()
    assert len(value) == 64
    assert set(value) <= set(ALPHABETS[alphabet])
    assert generate_value(64, alphabet) != generate_value(64, alphabet)


def test_the_printable_alphabet_has_no_whitespace() -> None:
    assert not set(ALPHABETS["printable"]) & set(string.whitespace)


def test_params_helpers_parse_booleans_integers_and_lists() -> None:
    assert parse_bool("force", "Yes") is True
    assert parse_bool("force", "") is False
    assert parse_int("generate.k", " 32 ") == 32
    assert split_list("a, b,,c ") == ("a", "b", "c")
    with pytest.raises(InvalidInput, match=r"^force must be true or false$"):
        parse_bool("force", "maybe")
    with pytest.raises(InvalidInput, match=r"^generate\.k must be an integer$"):
        parse_int("generate.k", "ten")


def test_a_validation_error_names_the_field_without_quoting_the_input() -> None:
    from pydantic import BaseModel

    class Model(BaseModel):
        count: int

    with pytest.raises(InvalidInput) as caught:
        build(Model, {"count": "very-secret-input"})
    assert caught.value.field == "count"
    assert "very-secret-input" not in str(caught.value)


def _demo(name: str) -> dict[str, Any]:
    return next(m for m in demo_secrets.objects() if m["metadata"]["name"] == name)


@pytest.mark.parametrize(
    ("name", "tool", "described"),
    [
        ("grafana-admin", "helm", "Helm (release monitoring/grafana)"),
        ("search-api-key", "argocd", "Argo CD (application shop-search)"),
        ("fraud-model-token", "flux", "Flux (Kustomization flux-system/payments-apps)"),
        (
            "psp-credentials",
            "external-secrets",
            "External Secrets (ExternalSecret psp-credentials)",
        ),
        ("acquirer-api-token", "external-secrets", "External Secrets"),
        ("smtp-credentials", "sealed-secrets", "Sealed Secrets (SealedSecret smtp-credentials)"),
    ],
)
def test_each_managing_tool_refuses_the_change_unless_forced(
    name: str, tool: str, described: str
) -> None:
    obj = _demo(name)
    guard = manager_guard(obj, f"Secret x/{name}", force=False)
    assert guard.tools == (tool,)
    [check] = guard.checks
    assert (check.ok, check.severity, check.forceable) == (False, "error", True)
    assert check.message.startswith(f"Secret x/{name} is managed by {described}: ")
    assert check.message.endswith("; use force to proceed")
    forced = manager_guard(obj, f"Secret x/{name}", force=True).checks[0]
    assert (forced.ok, forced.severity) == (False, "warning")
    assert forced.message.endswith("(overridden by force)")


def test_tools_the_action_does_not_fear_only_warn() -> None:
    guard = manager_guard(_demo("grafana-admin"), "Secret m/g", force=False, reverts=())
    assert guard.checks == ()
    assert guard.warnings == (
        "Secret m/g is managed by Helm (release monitoring/grafana); change the release's "
        "values to keep them in step",
    )


def test_an_unmanaged_object_has_no_guard() -> None:
    guard = manager_guard(_demo("db-credentials"), "Secret shop/db-credentials", force=False)
    assert (guard.checks, guard.warnings, guard.tools) == ((), (), ())


def test_forceable_checks_block_until_forced() -> None:
    assert forceable_check("c", "why", force=False).message == "why; use force to proceed"
    assert forceable_check("c", "why", force=True).severity == "warning"


# --- consumers ------------------------------------------------------------------------------

NS = "app"


def _workload(kind: str, name: str, spec: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    meta = {"name": name, "namespace": NS}
    return kind, {"metadata": meta, "spec": {"template": {"spec": spec}}}


def _pod(name: str, spec: dict[str, Any], owner: str = "", phase: str = "Running") -> Any:
    meta: dict[str, Any] = {"name": name, "namespace": NS, "labels": {}}
    if owner:
        meta["labels"]["pod-template-hash"] = "abc12"
        meta["ownerReferences"] = [
            {"kind": "ReplicaSet", "name": f"{owner}-abc12", "controller": True}
        ]
    return {"metadata": meta, "spec": spec, "status": {"phase": phase}}


ENV_SPEC = {
    "containers": [
        {
            "name": "c",
            "env": [{"name": "P", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}],
        }
    ]
}
SUBPATH_SPEC = {
    "containers": [
        {"name": "c", "volumeMounts": [{"name": "v", "mountPath": "/f", "subPath": "k"}]}
    ],
    "volumes": [{"name": "v", "secret": {"secretName": "s"}}],
}
VOLUME_SPEC = {
    "containers": [{"name": "c", "volumeMounts": [{"name": "v", "mountPath": "/d"}]}],
    "volumes": [{"name": "v", "secret": {"secretName": "s"}}],
}
PLAIN_SPEC = {"containers": [{"name": "c"}], "serviceAccountName": "puller"}


def _view() -> NamespaceView:
    return NamespaceView(
        NS,
        pods=[
            _pod("env-1", ENV_SPEC, owner="env"),
            _pod("env-2", ENV_SPEC, owner="env"),
            _pod("bare", SUBPATH_SPEC),
            _pod("old", ENV_SPEC, phase="Succeeded"),
        ],
        workloads=[
            _workload("Deployment", "env", ENV_SPEC),
            _workload("StatefulSet", "files", VOLUME_SPEC),
            _workload("DaemonSet", "pulls", PLAIN_SPEC),
            _workload("Deployment", "other", {"containers": [{"name": "c"}]}),
        ],
        accounts=[{"metadata": {"name": "puller"}, "imagePullSecrets": [{"name": "s"}]}],
    )


def test_consumers_are_workloads_with_their_pods_bare_pods_and_accounts() -> None:
    found = {c.subject: c for c in secret_consumers(_view(), "s")}
    assert sorted(found) == [
        "DaemonSet app/pulls",
        "Deployment app/env",
        "Pod app/bare",
        "ServiceAccount app/puller",
        "StatefulSet app/files",
    ]
    assert found["Deployment app/env"].pods == ("env-1", "env-2")
    assert [u.refresh for u in found["Pod app/bare"].uses] == ["never"]
    assert [u.via for u in found["DaemonSet app/pulls"].uses] == ["imagePullSecrets"]
    assert [u.refresh for u in found["StatefulSet app/files"].uses] == ["auto"]


def test_restarts_cover_env_and_subpath_consumers_that_a_rollout_can_replace() -> None:
    consumers = secret_consumers(_view(), "s")
    assert restart_targets(consumers) == [{"kind": "Deployment", "namespace": NS, "name": "env"}]
    assert manual_restarts(consumers) == ["Pod app/bare"]
    assert restart_step({"kind": "Deployment", "name": "env"}) == "restart-deployment/env"


def test_the_blast_radius_counts_workloads_and_live_pods_but_not_accounts() -> None:
    radius = blast_radius(secret_consumers(_view(), "s"))
    assert (radius.workloads, radius.pods) == (4, 3)


def test_account_runners_group_pods_under_their_workload() -> None:
    view = _view()
    runners = {c.subject: c.pods for c in account_runners(view, "default")}
    assert runners == {
        "Deployment app/env": ("env-1", "env-2"),
        "Deployment app/other": (),
        "Pod app/bare": ("bare",),
        "StatefulSet app/files": (),
    }
