"""Run the real ``kubeconnector`` command line as a user would, and show what it prints.

Each command is printed as typed (``$ kubeconnector ...``), then its output, stdout and stderr
interleaved (progress lines go to stderr), with the trailing padding of its tables removed.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.text import Text

from kubeconnector.demo.errors import DemoFailed
from kubeconnector.settings import ENV_DATABASE_URL, ENV_HOME, ENV_MASTER_KEY, ENV_USER

COMMAND_TIMEOUT = 300.0
_CHANGE_ID = re.compile(r"^change ([0-9a-f-]{36})$", re.MULTILINE)
_STATE = re.compile(r"^state\s+(\S+)", re.MULTILINE)


def cli_program() -> list[str]:
    """The ``kubeconnector`` console script installed next to this Python, or the same entry
    point through the interpreter when the script is not there."""
    script = Path(sys.executable).with_name("kubeconnector")
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-c", "from kubeconnector.cli import main; main()"]


def demo_environment(home: Path, base: Mapping[str, str]) -> dict[str, str]:
    """``base`` with a fresh kubeconnector home: SQLite and the key file live in ``home``.

    Every other kubeconnector setting is dropped, so the demo never touches a real home,
    database or key ring. The acting user defaults to ``admin``.
    """
    env = {k: v for k, v in base.items() if not k.startswith("KUBECONNECTOR_")}
    env[ENV_HOME] = str(home)
    env[ENV_USER] = "admin"
    # kubesim listens on the loopback interface; a proxy must not get in the way.
    env["NO_PROXY"] = ",".join(filter(None, [base.get("NO_PROXY"), "127.0.0.1", "localhost"]))
    for removed in (ENV_DATABASE_URL, ENV_MASTER_KEY):
        env.pop(removed, None)
    return env


@dataclass(frozen=True)
class Shell:
    """Runs ``kubeconnector`` commands in the demo's environment and echoes them."""

    console: Console
    env: Mapping[str, str]
    program: Sequence[str]

    def run(self, args: Sequence[str], *, max_lines: int | None = None, quiet: bool = False) -> str:
        """Run one command, print it and its output (at most ``max_lines`` lines), return
        the output.

        Raises:
            DemoFailed: The command exited with a non-zero code.
        """
        if not quiet:
            self.console.print(
                Text("$ kubeconnector " + shlex.join(args), style="bold cyan"), soft_wrap=True
            )
        result = subprocess.run(
            [*self.program, *args],
            env=dict(self.env),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
        if not quiet:
            self._show(result.stdout, max_lines)
        elif result.returncode != 0:
            # The output of a quiet command may hold a token; its error lines never do.
            errors = [line for line in result.stdout.splitlines() if line.startswith("error:")]
            self._show("\n".join(errors), None)
        if result.returncode != 0:
            raise DemoFailed(f"kubeconnector {args[0]} exited with code {result.returncode}")
        return result.stdout

    def _show(self, output: str, max_lines: int | None) -> None:
        lines = [line.rstrip() for line in output.rstrip().splitlines()]
        shown = lines if max_lines is None else lines[:max_lines]
        # Plain output: the lines are already laid out; the terminal may wrap them.
        self.console.out("\n".join(shown), highlight=False)
        if len(shown) < len(lines):
            rest = len(lines) - len(shown)
            self.console.print(Text(f"... {rest} more lines", style="dim"))
        self.console.print()


def change_id(output: str) -> str:
    """The id of the change a ``change`` command printed (its first ``change ID`` line).

    Raises:
        DemoFailed: The output names no change.
    """
    found = _CHANGE_ID.search(output)
    if found is None:
        raise DemoFailed("the command printed no change id")
    return found.group(1)


def change_state(output: str) -> str:
    """The state of the change a ``change`` command printed."""
    found = _STATE.search(output)
    return found.group(1) if found else "unknown"
