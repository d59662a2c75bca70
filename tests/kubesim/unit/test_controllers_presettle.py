"""A pre-settled `large` load equals what the controllers reach, and leaves them nothing to do.

The same small scenario is loaded twice: once settled by the running controllers, once written
settled before they start. Both states are compared object by object, with what differs
between any two runs (uids, times, resourceVersions, random pod name suffixes, IPs, container
IDs) masked out, and managedFields entries compared in manager order (the server orders them
by time, which is masked); node placement is compared as pods per node.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from typing import Any

import orjson
import pytest

from kubesim.config import SimConfig
from kubesim.controllers.pods_kubelet import Kubelet
from kubesim.controllers.presettle_pods import with_pod_ip
from kubesim.server.emulator import Emulator
from kubesim.store.storage import Event

Obj = dict[str, Any]
SCALE = 0.01
WORKLOAD_KEYS = (
    "apps/deployments",
    "apps/replicasets",
    "apps/daemonsets",
    "apps/statefulsets",
    "apps/controllerrevisions",
    "/pods",
)
FAST = SimConfig(pod_ready_delay=0.02, pod_termination_delay=0.02)
_MASKS = (
    (re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), b"<uid>"),
    (re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"), b"<time>"),
    (re.compile(rb"containerd://[0-9a-f]{64}"), b"<container>"),
    (re.compile(rb"10\.\d+\.\d+\.\d+"), b"<pod-ip>"),
)


class Loaded:
    """One settled emulator and the workload writes made after its controllers started."""

    def __init__(self, presettled: bool) -> None:
        self.emu = Emulator(FAST)
        self.emu.load("large", SCALE, presettled=presettled)
        self.rv_before_start = self.emu.storage.rv
        self.writes: list[Event] = []
        asyncio.run(self._run())

    async def _run(self) -> None:
        self.emu.storage.add_listener(self._record)
        self.emu.controllers.start()
        try:
            assert await self.emu.settle(30)
        finally:
            self.emu.controllers.stop()

    def _record(self, event: Event) -> None:
        if event.key in WORKLOAD_KEYS:
            self.writes.append(event)

    def objects(self, key: str) -> list[Obj]:
        return [stored.obj for stored in self.emu.storage.scan(key)]

    def masked(self, key: str) -> Counter[bytes]:
        """Each object's JSON (in its stored field order) with run-specific values masked."""
        return Counter(_mask(obj) for obj in self.objects(key))

    def pods_per_node(self) -> list[int]:
        counts = Counter(pod["spec"].get("nodeName", "") for pod in self.objects("/pods"))
        return sorted(counts.values())


def _mask(obj: Obj) -> bytes:
    meta = {k: v for k, v in obj["metadata"].items() if k != "resourceVersion"}
    # The server sorts entries by time first, and times are masked: a second boundary between
    # two writes may order them either way in either load.
    meta["managedFields"] = sorted(
        meta.get("managedFields") or [], key=lambda e: (e["manager"], e.get("subresource", ""))
    )
    if "generateName" in meta:
        meta["name"] = meta["generateName"] + "<suffix>"
    spec = obj.get("spec")
    if isinstance(spec, dict) and "nodeName" in spec and "affinity" not in spec:
        spec = {**spec, "nodeName": "<scheduled>"}
    text = orjson.dumps({**obj, "metadata": meta, "spec": spec})
    for pattern, mask in _MASKS:
        text = pattern.sub(mask, text)
    return text


@pytest.fixture(scope="module")
def by_controllers() -> Loaded:
    return Loaded(presettled=False)


@pytest.fixture(scope="module")
def presettled() -> Loaded:
    return Loaded(presettled=True)


@pytest.mark.parametrize("key", WORKLOAD_KEYS)
def test_presettled_objects_equal_what_the_controllers_write(
    by_controllers: Loaded, presettled: Loaded, key: str
) -> None:
    expected, actual = by_controllers.masked(key), presettled.masked(key)
    assert sum(expected.values()) > 0
    assert actual == expected, (
        f"only presettled: {list(actual - expected)[:1]!r}\n"
        f"only by controllers: {list(expected - actual)[:1]!r}"
    )


def test_pods_are_spread_over_the_nodes_as_the_scheduler_spreads_them(
    by_controllers: Loaded, presettled: Loaded
) -> None:
    assert presettled.pods_per_node() == by_controllers.pods_per_node()


def test_pods_have_their_own_ips_names_and_container_ids(presettled: Loaded) -> None:
    pods = presettled.objects("/pods")
    ips = [pod["status"]["podIP"] for pod in pods]
    containers = [s["containerID"] for pod in pods for s in pod["status"]["containerStatuses"]]
    assert len(set(ips)) == len(ips) == len(pods)
    assert len(set(containers)) == len(containers)
    for pod in pods:
        kubelet = next(e for e in pod["metadata"]["managedFields"] if e["manager"] == "kubelet")
        ip_keys = [k for k in kubelet["fieldsV1"]["f:status"]["f:podIPs"] if k != "."]
        assert ip_keys == ['k:{"ip":"' + pod["status"]["podIP"] + '"}']


def test_the_controllers_find_nothing_to_do_after_a_presettled_load(
    by_controllers: Loaded, presettled: Loaded
) -> None:
    assert presettled.writes == []
    assert len(by_controllers.writes) > len(presettled.objects("/pods"))


def test_new_pods_after_a_presettled_load_get_fresh_ips(presettled: Loaded) -> None:
    kubelet = next(c for c in presettled.emu.controllers.controllers if isinstance(c, Kubelet))
    taken = {pod["status"]["podIP"] for pod in presettled.objects("/pods")}
    node = presettled.objects("/nodes")[0]
    assert kubelet.placement(node, {}).pod_ip not in taken


def test_with_pod_ip_renames_only_the_pod_ip_key() -> None:
    entry: Obj = {
        "manager": "kubelet",
        "fieldsV1": {
            "f:status": {"f:podIPs": {".": {}, 'k:{"ip":"10.0.0.2"}': {".": {}, "f:ip": {}}}}
        },
    }
    other: Obj = {"manager": "kube-controller-manager", "fieldsV1": {"f:spec": {}}}
    renamed = with_pod_ip([other, entry], "10.0.0.2", "10.0.0.3")
    assert renamed[0] is other
    assert renamed[1]["fieldsV1"]["f:status"]["f:podIPs"] == {
        ".": {},
        'k:{"ip":"10.0.0.3"}': {".": {}, "f:ip": {}},
    }
    assert entry["fieldsV1"]["f:status"]["f:podIPs"].keys() == {".", 'k:{"ip":"10.0.0.2"}'}
