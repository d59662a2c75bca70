"""An expired continue token restarts that list from the beginning, on a real API server."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator

import pytest
import yaml

from kubeconnector.kube import KINDS, ClusterClient, ListStats, parse_kubeconfig
from kubesim.runner import Cluster, running
from kubesim.testing import FAST

SECRETS = "/api/v1/secrets"


@pytest.fixture(scope="module")
def short_lived_lists() -> Iterator[Cluster]:
    """A demo cluster whose continue tokens expire after 0.2 s."""
    with running("demo", config=dataclasses.replace(FAST, continue_ttl=0.2)) as cluster:
        yield cluster


def test_a_list_whose_token_expires_restarts_and_yields_each_object_once(
    short_lived_lists: Cluster,
) -> None:
    text = yaml.safe_dump(short_lived_lists.kubeconfig())
    stats = ListStats()
    since = short_lived_lists.control.mark()
    with ClusterClient(parse_kubeconfig(text, "discovery")) as client:
        uids: list[str] = []
        for number, page in enumerate(
            client.list_pages(KINDS["Secret"], metadata_only=True, limit=5, stats=stats)
        ):
            uids += [item["metadata"]["uid"] for item in page]
            if number == 1:
                time.sleep(0.3)  # outlive the token the next request carries
        total = len(client.request("GET", SECRETS, accept="application/json")["items"])
    assert stats.restarts == 1
    assert len(uids) == len(set(uids)) == total
    log = [e for e in short_lived_lists.control.requests(since) if e["path"] == SECRETS]
    statuses = [e["status"] for e in log[:-1]]
    assert statuses.count(410) == 1
    restart = statuses.index(410) + 1
    assert "continue=" not in log[restart]["query"]
    assert stats.requests == len(log) - 1
    assert all("limit=5" in e["query"] for e in log[:-1])
