"""kubesim at scale: start-up, controller settling, and every kind's full paginated list.

    python benchmarks/kubesim_large.py [--scale 1.0] [--limit 500] [--concurrency 4]

Starts ``kubesim serve --scenario large`` as a subprocess and measures:

1. time to ready: from process start to the ``--ready-json`` line (scenario loaded, serving);
2. time to settled: from process start until ``control.settle()`` reports that no controller
   has work due (the scenario loads its workloads settled, pods running, so the controllers'
   first syncs find almost nothing to do);
3. the full paginated list (``limit`` per page) of every listable kind found through discovery,
   with a plain urllib3 client: once cold and once warm one request at a time, then warm with
   ``concurrency`` lists in flight;
4. informational: the same lists as ``kubectl get -A`` asks for them (Table, chunks of 500);
5. the server's peak RSS (VmHWM).

The targets (at scale 1.0 on a 2-core machine): settled in under 20 s, and the cold
one-at-a-time pass over every kind's list in under 10 s. The process exits 1 if one is missed.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import re
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import urllib3
import yaml

from kubesim.control.client import Control

SETTLED_TARGET_S = 20.0
LISTS_TARGET_S = 10.0
TABLE_ACCEPT = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
_CONTINUE = re.compile(rb'"continue":"([^"]*)"')


@dataclass(frozen=True)
class Kind:
    """A listable resource, as discovery names it."""

    group_version: str
    plural: str

    @property
    def path(self) -> str:
        prefix = "/api/" if "/" not in self.group_version else "/apis/"
        return f"{prefix}{self.group_version}/{self.plural}"


@dataclass
class ListResult:
    """One kind's full list: items, pages, bytes and wall time."""

    kind: Kind
    items: int
    pages: int
    bytes: int
    seconds: float


@dataclass
class Server:
    """The kubesim subprocess and how long it took to become ready and settled."""

    process: subprocess.Popen[str]
    url: str
    kubeconfig: dict[str, Any]
    ready_s: float
    settled_s: float = 0.0
    settled: bool = False

    def peak_rss_mb(self) -> float:
        """The server's peak resident set size so far (VmHWM), in MiB."""
        with open(f"/proc/{self.process.pid}/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
        return 0.0


class Http:
    """Plain HTTPS GETs as the cluster admin (client certificate from the kubeconfig)."""

    def __init__(self, url: str, kubeconfig: dict[str, Any], pool_size: int) -> None:
        self.url = url
        self._pool = urllib3.PoolManager(ssl_context=_admin_tls(kubeconfig), maxsize=pool_size)

    def get(self, path: str, query: dict[str, str], accept: str = "application/json") -> bytes:
        response = self._pool.request(
            "GET", self.url + path, fields=query, headers={"Accept": accept}
        )
        if response.status != 200:
            raise RuntimeError(f"GET {path} {query}: {response.status} {response.data[:200]!r}")
        body: bytes = response.data
        return body

    def full_list(self, kind: Kind, limit: int, accept: str = "application/json") -> ListResult:
        """Every page of one list, following continue tokens read off the bytes."""
        started = time.perf_counter()
        query = {"limit": str(limit)}
        items = pages = size = 0
        while True:
            body = self.get(kind.path, query, accept)
            pages += 1
            size += len(body)
            items += _count_items(body, accept)
            found = _CONTINUE.search(body, 0, 4096)
            if not found or not found.group(1):
                return ListResult(kind, items, pages, size, time.perf_counter() - started)
            query["continue"] = found.group(1).decode()


def _count_items(body: bytes, accept: str) -> int:
    document = orjson.loads(body)
    return len(document["rows"] if accept == TABLE_ACCEPT else document["items"])


def _admin_tls(kubeconfig: dict[str, Any]) -> ssl.SSLContext:
    cluster = kubeconfig["clusters"][0]["cluster"]
    user = next(u["user"] for u in kubeconfig["users"] if u["name"] == "admin")
    context = ssl.create_default_context(
        cadata=base64.b64decode(cluster["certificate-authority-data"]).decode()
    )
    with tempfile.TemporaryDirectory(prefix="kubesim-bench-") as tmp:
        paths = []
        for field in ("client-certificate-data", "client-key-data"):
            path = os.path.join(tmp, field)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(base64.b64decode(user[field]))
            paths.append(path)
        context.load_cert_chain(paths[0], paths[1])
    return context


@contextmanager
def start_server(scale: float, settle_timeout: float) -> Iterator[Server]:
    """Run `kubesim serve --scenario large`, timing readiness and settling from process start."""
    with tempfile.TemporaryDirectory(prefix="kubesim-bench-") as tmp:
        kubeconfig_path = Path(tmp) / "kubeconfig"
        args = [sys.executable, "-m", "kubesim", "serve", "--scenario", "large"]
        args += ["--scale", str(scale), "--port", "0", "--ready-json"]
        args += ["--kubeconfig-out", str(kubeconfig_path)]
        started = time.perf_counter()
        process = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            if not line:
                raise RuntimeError(f"kubesim exited before it was ready (code {process.wait()})")
            kubeconfig = yaml.safe_load(kubeconfig_path.read_text())
            server = Server(
                process, json.loads(line)["url"], kubeconfig, time.perf_counter() - started
            )
            control = Control(server.url, kubeconfig)
            server.settled = control.settle(settle_timeout)
            server.settled_s = time.perf_counter() - started
            control.close()
            yield server
        finally:
            process.terminate()
            process.wait(timeout=30)


def discover(http: Http) -> list[Kind]:
    """Every listable top-level resource of every group's preferred version."""
    versions = ["v1"]
    for group in orjson.loads(http.get("/apis", {}))["groups"]:
        versions.append(group["preferredVersion"]["groupVersion"])
    kinds = []
    for group_version in versions:
        path = "/api/v1" if group_version == "v1" else f"/apis/{group_version}"
        for resource in orjson.loads(http.get(path, {}))["resources"]:
            if "/" not in resource["name"] and "list" in resource["verbs"]:
                kinds.append(Kind(group_version, resource["name"]))
    return kinds


def timed_pass(
    kinds: list[Kind], fetch: Callable[[Kind], ListResult], concurrency: int
) -> tuple[float, list[ListResult]]:
    """Fetch every kind's list, `concurrency` lists in flight; total wall time and results."""
    started = time.perf_counter()
    if concurrency <= 1:
        results = [fetch(kind) for kind in kinds]
    else:
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            results = list(pool.map(fetch, kinds))
    return time.perf_counter() - started, results


def _verdict(value: float, target: float) -> str:
    return f"{value:7.2f} s  target < {target:.0f} s  ratio {value / target:.2f}  " + (
        "OK" if value < target else "MISSED"
    )


def report_lists(title: str, seconds: float, results: list[ListResult]) -> None:
    """Print one pass: its total and the slowest kinds."""
    items = sum(r.items for r in results)
    pages = sum(r.pages for r in results)
    megabytes = sum(r.bytes for r in results) / 1e6
    print(f"{title}: {seconds:.2f} s for {items} objects, {pages} pages, {megabytes:.1f} MB")
    for result in sorted(results, key=lambda r: r.seconds, reverse=True)[:6]:
        rate = result.items / result.seconds if result.seconds else 0.0
        print(
            f"    {result.kind.path:<48} {result.items:>6} items {result.pages:>3} pages "
            f"{result.seconds:6.2f} s ({rate:,.0f}/s)"
        )


def run(args: argparse.Namespace) -> int:
    """Run the benchmark; 0 when both targets are met, 1 otherwise."""
    print(
        f"machine: {platform.node()} {platform.machine()} {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}; scale {args.scale}"
    )
    with start_server(args.scale, args.settle_timeout) as server:
        http = Http(server.url, server.kubeconfig, max(args.concurrency, 1))
        kinds = discover(http)

        def fetch(kind: Kind) -> ListResult:
            return http.full_list(kind, args.limit)

        cold = timed_pass(kinds, fetch, 1)
        warm = timed_pass(kinds, fetch, 1)
        parallel = timed_pass(kinds, fetch, args.concurrency)
        tables = timed_pass(kinds, lambda k: http.full_list(k, args.limit, TABLE_ACCEPT), 1)
        rss = server.peak_rss_mb()
    print(f"ready (serving):      {server.ready_s:7.2f} s")
    print(
        f"settled:              {_verdict(server.settled_s, SETTLED_TARGET_S)}"
        + ("" if server.settled else "  (settle timed out)")
    )
    print(f"lists, cold, 1 at a time: {_verdict(cold[0], LISTS_TARGET_S)}")
    report_lists("  cold, 1 at a time", *cold)
    report_lists("  warm, 1 at a time", *warm)
    report_lists(f"  warm, {args.concurrency} in flight", *parallel)
    report_lists("  Table (kubectl get -A), warm, 1 at a time", *tables)
    print(f"server peak RSS: {rss:.0f} MiB")
    met = server.settled and server.settled_s < SETTLED_TARGET_S and cold[0] < LISTS_TARGET_S
    return 0 if met else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--limit", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--settle-timeout", type=float, default=600.0)
    sys.exit(run(parser.parse_args()))


if __name__ == "__main__":
    main()
