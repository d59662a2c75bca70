"""Running kubectl binaries against kubesim: results, polling, tables and watch streams."""

from __future__ import annotations

import contextlib
import os
import queue
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

VERSIONS = ("1.27", "1.30", "1.33")
SERVER_MINOR = 30
T = TypeVar("T")


@dataclass(frozen=True)
class Result:
    """What one kubectl invocation printed and returned."""

    args: tuple[str, ...]
    code: int
    out: str
    err: str

    def describe(self) -> str:
        command = " ".join(self.args)
        return f"kubectl {command}\nexit {self.code}\nstdout:\n{self.out}\nstderr:\n{self.err}"


def find_binaries() -> dict[str, Path]:
    """The versioned kubectl binaries (`kubectl.1.27` ...) beside the `kubectl` on PATH."""
    folders: list[Path] = []
    launcher = shutil.which("kubectl")
    if launcher:
        folders.append(Path(launcher).resolve().parent)
    folders += [Path(p) for p in os.environ.get("PATH", "").split(os.pathsep) if p]
    found: dict[str, Path] = {}
    for version in VERSIONS:
        for folder in folders:
            candidate = folder / f"kubectl.{version}"
            if candidate.is_file() and os.access(candidate, os.X_OK):
                found[version] = candidate
                break
    return found


@dataclass
class Kubectl:
    """One kubectl version, configured for the session cluster with its own cache directory."""

    version: str
    binary: Path
    kubeconfig: Path
    cache_dir: Path
    tmp_dir: Path
    _serial: Iterator[int] = field(default_factory=lambda: iter(range(1, 1_000_000)))

    @property
    def minor(self) -> int:
        return int(self.version.split(".")[1])

    @property
    def tag(self) -> str:
        """A name-safe form of the version, e.g. `v133`."""
        return "v" + self.version.replace(".", "")

    def unique(self, prefix: str) -> str:
        """A fresh object name for this version (tests share one cluster)."""
        return f"{prefix}-{self.tag}-{next(self._serial)}"

    def command(self, args: Sequence[str], context: str, namespace: str | None) -> list[str]:
        base = [str(self.binary), "--kubeconfig", str(self.kubeconfig)]
        base += ["--cache-dir", str(self.cache_dir), "--context", context]
        if namespace is not None:
            base += ["--namespace", namespace]
        return base + list(args)

    def environ(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("KUBE")}
        env.update(TMPDIR=str(self.tmp_dir), HOME=str(self.tmp_dir), NO_COLOR="1")
        env.update(extra or {})
        return env

    def run(
        self,
        *args: str,
        context: str = "admin",
        namespace: str | None = None,
        stdin: str | None = None,
        env: dict[str, str] | None = None,
        timeout: float = 60.0,
    ) -> Result:
        """Run kubectl to completion and capture everything it printed."""
        proc = subprocess.run(
            self.command(args, context, namespace),
            input=stdin,
            capture_output=True,
            text=True,
            env=self.environ(env),
            timeout=timeout,
            check=False,
        )
        return Result(tuple(args), proc.returncode, proc.stdout, proc.stderr)

    def ok(
        self,
        *args: str,
        context: str = "admin",
        namespace: str | None = None,
        stdin: str | None = None,
        env: dict[str, str] | None = None,
    ) -> str:
        """Run a command that must succeed and print nothing on stderr; its stdout."""
        result = self.run(*args, context=context, namespace=namespace, stdin=stdin, env=env)
        assert result.code == 0, result.describe()
        assert result.err == "", result.describe()
        return result.out

    def fails(
        self,
        *args: str,
        context: str = "admin",
        namespace: str | None = None,
        stdin: str | None = None,
        env: dict[str, str] | None = None,
    ) -> str:
        """Run a command that must exit 1 with nothing on stdout; its stderr."""
        result = self.run(*args, context=context, namespace=namespace, stdin=stdin, env=env)
        assert result.code == 1, result.describe()
        assert result.out == "", result.describe()
        return result.err

    def get(self, *args: str, jsonpath: str, namespace: str | None = None) -> str:
        """`kubectl get ... -o jsonpath=...` output, as the cluster admin."""
        return self.ok("get", *args, "-o", f"jsonpath={jsonpath}", namespace=namespace)

    def start(
        self, *args: str, context: str = "admin", namespace: str | None = None
    ) -> subprocess.Popen[str]:
        """Start a long-running command (a watch) with piped output."""
        return subprocess.Popen(
            self.command(args, context, namespace),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=self.environ(),
        )


def eventually(probe: Callable[[], T | None], timeout: float = 15.0, step: float = 0.05) -> T:
    """Poll `probe` until it returns something other than None (or fail after `timeout`)."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value is not None:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not reached within {timeout} s")
        time.sleep(step)


def columns(line: str) -> list[str]:
    """The cells of a printed table line (kubectl pads columns with at least 3 spaces)."""
    return re.split(r" {2,}", line.strip())


def table(output: str) -> list[list[str]]:
    """Header and rows of `kubectl get` output, as cells."""
    return [columns(line) for line in output.splitlines() if line.strip()]


class LineReader:
    """Reads a process's stdout lines on a thread so tests can wait for one with a timeout."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        self._lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        stream = proc.stdout
        self._thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self._thread.start()

    def join(self) -> None:
        self._thread.join(timeout=5)

    def _pump(self, stream: object) -> None:
        for line in stream:  # type: ignore[attr-defined]
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    def wait_for(self, predicate: Callable[[str], bool], timeout: float = 10.0) -> str:
        """The first new line matching `predicate`; fails on timeout or end of output."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no matching line within {timeout} s; saw {self.seen}")
            try:
                line = self._lines.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                raise AssertionError(f"output ended without a matching line; saw {self.seen}")
            self.seen.append(line)
            if predicate(line):
                return line


@dataclass
class Stream:
    """A running kubectl whose output lines are read as they come."""

    proc: subprocess.Popen[str]
    lines: LineReader

    def finish(self, timeout: float = 15.0) -> tuple[int, str]:
        """Wait for the command to end by itself; its exit code and stderr."""
        code = self.proc.wait(timeout=timeout)
        assert self.proc.stderr is not None
        return code, self.proc.stderr.read()

    def stop(self) -> str:
        """End the command now; what it printed on stderr."""
        self.proc.kill()
        self.proc.wait()
        assert self.proc.stderr is not None
        return self.proc.stderr.read()


@contextlib.contextmanager
def streaming(kubectl: Kubectl, *args: str, namespace: str | None = None) -> Iterator[Stream]:
    """Start kubectl (e.g. a watch); kill it on exit if it is still running."""
    with kubectl.start(*args, namespace=namespace) as proc:
        reader = LineReader(proc)
        try:
            yield Stream(proc, reader)
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            reader.join()
