"""kubesim: a Kubernetes API server emulator for tests, benchmarks and demos.

import kubesim

with kubesim.running(scenario="demo") as cluster:
    kubeconfig = cluster.kubeconfig(context="connector")
"""

from kubesim.config import SimConfig
from kubesim.runner import Cluster, running

__all__ = ["Cluster", "SimConfig", "running"]
