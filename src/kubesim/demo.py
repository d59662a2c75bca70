"""A short tour of kubesim: start the demo cluster and look at it with kubectl."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from kubesim.runner import running

COMMANDS = (
    ["version"],
    ["get", "nodes"],
    ["get", "deployments", "-A"],
    ["get", "pods", "-n", "shop"],
    ["auth", "whoami"],
    ["auth", "can-i", "--list", "-n", "shop"],
    ["--context", "nobody", "get", "secrets", "-A"],
)


def main() -> int:
    kubectl = shutil.which("kubectl")
    out = sys.stdout
    with tempfile.TemporaryDirectory(prefix="kubesim-demo-") as tmp, running("demo") as cluster:
        path = cluster.write_kubeconfig(Path(tmp) / "kubeconfig")
        out.write(f"kubesim demo cluster at {cluster.url}\nkubeconfig: {path}\n\n")
        if kubectl is None:
            out.write("kubectl is not installed; nothing more to show.\n")
            return 0
        for args in COMMANDS:
            command = [kubectl, "--kubeconfig", str(path), "--cache-dir", tmp, *args]
            out.write("$ kubectl " + " ".join(args) + "\n")
            result = subprocess.run(command, capture_output=True, text=True, check=False)
            out.write(result.stdout + result.stderr + "\n")
            out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
