"""``python -m kubeconnector.demo [--serve [--port PORT]]``: run the demo (see the package)."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from rich.console import Console
from rich.text import Text

from kubeconnector.demo.cluster import demo_cluster
from kubeconnector.demo.errors import DemoFailed
from kubeconnector.demo.service import run_service
from kubeconnector.demo.shell import Shell, cli_program, demo_environment
from kubeconnector.demo.story import cluster_section, run_story

INTERRUPTED = 130


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The demo's options."""
    parser = argparse.ArgumentParser(
        prog="scripts/demo",
        description="kubeconnector against a kubesim cluster, step by step with the real CLI.",
    )
    parser.add_argument(
        "--serve",
        action="store_true",
        help="Prepare a connector and users, then run the HTTP API until Ctrl-C.",
    )
    parser.add_argument(
        "--port", type=int, default=8080, help="The HTTP API's port with --serve (default 8080)."
    )
    return parser.parse_args(argv)


def _terminated(signum: int, _frame: FrameType | None) -> None:
    # SIGTERM ends the demo like Ctrl-C, so the cluster and the server are stopped too.
    raise KeyboardInterrupt(signum)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the demo in a temporary home; return the exit code."""
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminated)
    console = Console(markup=False, highlight=False, emoji=False)
    try:
        with tempfile.TemporaryDirectory(prefix="kubeconnector-demo-") as tmp:
            workdir = Path(tmp)
            env = demo_environment(workdir / "home", os.environ)
            shell = Shell(console, env, cli_program())
            console.print(
                Text(f"kubeconnector demo: state in {workdir / 'home'} (removed at the end)\n")
            )
            with demo_cluster(workdir) as cluster:
                cluster_section(console, cluster)
                if args.serve:
                    run_service(console, shell, cluster, args.port)
                else:
                    run_story(console, shell, cluster)
    except KeyboardInterrupt:
        console.print(Text("demo stopped; the cluster and every process it started are gone"))
        return INTERRUPTED
    except DemoFailed as error:
        console.print(Text(f"demo failed: {error}", style="bold red"))
        return 1
    console.print(Text("demo finished; the cluster is stopped and its state removed", "green"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
