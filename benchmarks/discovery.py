"""Discovery benchmark: kubeconnector versus kubectl versus a raw-HTTP floor, on kubesim.

    python benchmarks/discovery.py [--scale F] [--context admin|connector] [--concurrency N]

Starts ``kubesim serve --scenario large`` (about 50,000 objects at scale 1) in a subprocess,
warms its caches with one untimed pass over every list, then measures in this order:

a. kubeconnector discovery of the 13 kinds (`kubeconnector.discovery.discover`) through the
   connector's `ClusterClient`, into a throwaway SQLite database under a temporary home with
   a generated master key; peak RSS is this process's high-water mark during the phase.
b. ``kubectl get <the 13 kinds> -A -o json --chunk-size=500`` (output discarded).
c. The floor: the same lists as (a) (Secrets metadata-only, 500 per page, the same
   concurrency) fetched with plain urllib3 and discarded, continue tokens read off the bytes.

The last line is ``ratio_vs_kubectl=<a/b> ratio_vs_floor=<a/c> peak_rss_mb=<RSS of a>
secret_data_bytes=<bytes of Secret data and stringData received during a>``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import (
    RawCluster,
    current_peak_rss_mb,
    reset_peak_rss,
    timed,
)

import kubesim
from kubeconnector.crypto import KeyRing
from kubeconnector.discovery import DiscoveryResult, ProgressEvent, discover
from kubeconnector.discovery.kinds import KINDS, ListJob, list_jobs
from kubeconnector.errors import Forbidden
from kubeconnector.kube import ClientOptions, ClusterClient, ResponseRecord, parse_kubeconfig
from kubeconnector.models import Environment, NewConnector
from kubeconnector.store import AssetRepository, ConnectorRepository, Database


@dataclass
class SecretDataCounter:
    """Counts the bytes of Secret ``data``/``stringData`` in every response it observes."""

    bytes: int = 0
    responses: int = 0
    secret_lists: list[int] = field(default_factory=list)

    def __call__(self, record: ResponseRecord) -> None:
        self.responses += 1
        if not record.path.endswith("/secrets") or record.status != 200:
            return
        self.secret_lists.append(len(record.data))
        if b'"data":' in record.data or b'"stringData":' in record.data:
            self.bytes += _secret_data_bytes(orjson.loads(record.data))


def _secret_data_bytes(body: dict[str, Any]) -> int:
    total = 0
    for item in body.get("items") or ():
        for name in ("data", "stringData"):
            if item.get(name):
                total += len(orjson.dumps(item[name]))
    return total


@dataclass
class Phases:
    """Where the time of phase (a) went, from the progress events."""

    started: float = field(default_factory=time.perf_counter)
    marks: dict[str, float] = field(default_factory=dict)
    rss_at_start: float = 0.0
    rss_after_listing: float = 0.0
    rss_before_storing: float = 0.0

    def __call__(self, event: ProgressEvent) -> None:
        if event.kind is None:
            self.marks.setdefault(event.state, time.perf_counter() - self.started)
            if event.state == "linking":
                self.rss_after_listing = current_peak_rss_mb()
            if event.state == "storing":
                self.rss_before_storing = current_peak_rss_mb()


def _kubeconfig_file(cluster: kubesim.Cluster, directory: Path, context: str) -> Path:
    return cluster.write_kubeconfig(directory / "kubeconfig", context)


def _warm_up(raw: RawCluster, jobs: list[ListJob], concurrency: int) -> None:
    _floor(raw, jobs, concurrency)


def _floor(raw: RawCluster, jobs: list[ListJob], concurrency: int) -> int:
    def fetch(job: ListJob) -> int:
        pages = raw.raw_pages(
            job.kind,
            job.namespace,
            metadata_only=job.metadata_only,
            field_selector=job.field_selector,
        )
        try:
            return sum(len(body) for body in pages)
        except Forbidden:  # the same single refused request discovery makes
            return 0

    with ThreadPoolExecutor(concurrency) as pool:
        return sum(pool.map(fetch, jobs))


@contextmanager
def _connector_home(server: str, kubeconfig: str, context: str) -> Iterator[tuple[Any, ...]]:
    with tempfile.TemporaryDirectory(prefix="kubeconnector-bench-") as home:
        database = Database.open(f"sqlite:///{home}/kubeconnector.db")
        ring = KeyRing.generate()
        new = NewConnector(
            name="bench", environment=Environment.DEV, context=context, server=server
        )
        connector = ConnectorRepository(database, ring).add(new, kubeconfig)
        try:
            yield connector, AssetRepository(database)
        finally:
            database.dispose()


def _discovery(
    cluster: kubesim.Cluster, context: str, concurrency: int
) -> tuple[float, DiscoveryResult, SecretDataCounter, Phases, float]:
    text = cluster.kubeconfig_yaml(context)
    counter = SecretDataCounter()
    options = ClientOptions(max_in_flight=concurrency, on_response=counter)
    with _connector_home(cluster.url, text, context) as (connector, repository):
        client = ClusterClient(parse_kubeconfig(text, context), options)
        reset_peak_rss()
        phases = Phases(rss_at_start=current_peak_rss_mb())
        with timed() as wall:
            result = discover(
                client, connector, repository, progress=phases, concurrency=concurrency
            )
        rss = current_peak_rss_mb()
        client.close()
    return wall.seconds, result, counter, phases, rss


def _kubectl(kubeconfig: Path, context: str) -> float:
    kinds = ",".join(kind.plural for kind in KINDS)
    command = [
        "kubectl",
        "--kubeconfig",
        str(kubeconfig),
        "--context",
        context,
        "get",
        kinds,
        "-A",
        "-o",
        "json",
        "--chunk-size=500",
    ]
    with timed() as wall:
        done = subprocess.run(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False
        )
    if done.returncode != 0:  # e.g. the connector context may not list nodes
        reason = done.stderr.decode(errors="replace").strip().splitlines()[-1:]
        print(f"    kubectl exited {done.returncode}: {' '.join(reason)}")
    return wall.seconds


def _report_discovery(seconds: float, result: DiscoveryResult, phases: Phases, rss: float) -> None:
    listed = phases.marks.get("linking", 0.0)
    stored = phases.marks.get("storing", listed)
    print(f"(a) kubeconnector discovery: {seconds:.2f}s")
    storing = seconds - stored
    print(f"    listing {listed:.2f}s, linking {stored - listed:.2f}s, storing {storing:.2f}s")
    print(
        f"    {sum(result.counts.values())} assets, {result.relations} relations, "
        f"{result.requests} requests, {result.bytes_received or 0:,} bytes, "
        f"forbidden: {', '.join(result.forbidden_kinds) or 'none'}"
    )
    print(
        f"    peak RSS {rss:.0f} MiB (at start {phases.rss_at_start:.0f}, after listing "
        f"{phases.rss_after_listing:.0f}, before storing {phases.rss_before_storing:.0f})"
    )
    print(f"    counts {result.counts}")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="kubesim large scale")
    parser.add_argument("--context", default="admin", choices=["admin", "connector"])
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args(argv)
    print(f"starting kubesim large at scale {args.scale} ...", flush=True)
    with kubesim.running("large", scale=args.scale, mode="process") as cluster:
        jobs = list_jobs(None)
        raw = RawCluster(cluster.kubeconfig(), args.context, pool_size=args.concurrency)
        _warm_up(raw, jobs, args.concurrency)
        seconds, result, counter, phases, rss = _discovery(cluster, args.context, args.concurrency)
        _report_discovery(seconds, result, phases, rss)
        with tempfile.TemporaryDirectory(prefix="kubeconnector-bench-") as tmp:
            kubectl = _kubectl(_kubeconfig_file(cluster, Path(tmp), args.context), args.context)
        print(f"(b) kubectl get -A -o json --chunk-size=500: {kubectl:.2f}s")
        with timed() as floor:
            received = _floor(raw, jobs, args.concurrency)
        print(f"(c) raw-HTTP floor: {floor.seconds:.2f}s ({received:,} bytes)")
        raw.close()
    print(
        f"ratio_vs_kubectl={seconds / kubectl:.3f} ratio_vs_floor={seconds / floor.seconds:.3f} "
        f"peak_rss_mb={rss:.1f} secret_data_bytes={counter.bytes}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
