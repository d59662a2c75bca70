"""The controllers a kubesim cluster runs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kubesim.controllers.aggregation import ClusterRoleAggregationController
from kubesim.controllers.base import Controller
from kubesim.controllers.daemonset import DaemonSetController
from kubesim.controllers.deployment import DeploymentController
from kubesim.controllers.gc import GarbageCollector
from kubesim.controllers.namespaces import NamespaceController
from kubesim.controllers.nodes import NodeLifecycleController
from kubesim.controllers.pods import Scheduler
from kubesim.controllers.pods_kubelet import Kubelet
from kubesim.controllers.replicaset import ReplicaSetController
from kubesim.controllers.serviceaccounts import RootCACertPublisher, ServiceAccountsController
from kubesim.controllers.statefulset import StatefulSetController
from kubesim.controllers.tokens import TokenAccountsController, TokenSecretsController

if TYPE_CHECKING:
    from kubesim.server.emulator import Emulator


def all_controllers(emu: Emulator) -> list[Controller]:
    return [
        ClusterRoleAggregationController(emu),
        ServiceAccountsController(emu),
        RootCACertPublisher(emu),
        TokenSecretsController(emu),
        TokenAccountsController(emu),
        NodeLifecycleController(emu),
        GarbageCollector(emu),
        NamespaceController(emu),
        DeploymentController(emu),
        ReplicaSetController(emu),
        DaemonSetController(emu),
        StatefulSetController(emu),
        Scheduler(emu),
        Kubelet(emu),
    ]
