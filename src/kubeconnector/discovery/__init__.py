"""Discovery: inventory a connector's cluster, the relations between its objects, and drift.

``discover(client, connector, repository)`` lists namespaces, pods, services, secrets,
serviceaccounts, deployments, daemonsets, statefulsets, nodes, roles, rolebindings,
clusterroles and clusterrolebindings (namespaced kinds within the connector's namespace when
it has one), 500 per page, four lists at a time, and stores them as one discovery run.
Kinds the identity may not list are recorded as forbidden and the run ends ``partial``.

Secret values are never fetched: Secrets are listed metadata-only, and their type is learnt
from extra metadata-only lists filtered by ``type`` (see `kinds.SECRET_TYPES`). Every
asset's ``kubectl.kubernetes.io/last-applied-configuration`` annotation is dropped.

Asset ``details`` per kind (JSON):

- Namespace: ``{"phase"}``.
- Pod: ``{"serviceAccountName", "nodeName", "phase", "ready", "images", "controller"}``;
  ``controller`` is ``"Kind/name"`` of the top controller (a ReplicaSet named after a
  Deployment and the Pod's ``pod-template-hash`` gives ``"Deployment/<name>"``) or None.
- Service: ``{"type", "clusterIP", "selector"}``.
- Secret: ``{"type", "keys"?}``: ``type`` is one of `kinds.SECRET_TYPES` or
  ``"Opaque-or-other"`` (None when a per-type list failed); ``keys`` (names only, sorted)
  only when ``managedFields`` records ``f:data``. ``immutable`` is not in metadata and is
  left out.
- ServiceAccount: ``{"secrets": [names], "imagePullSecrets": [names],
  "automountServiceAccountToken"}``.
- Deployment, DaemonSet, StatefulSet: ``{"replicas", "serviceAccountName", "images",
  "selector", "paused"?}`` (a DaemonSet's ``replicas`` is its desired number scheduled;
  ``paused`` only when the spec sets it).
- Node: ``{"unschedulable", "taints", "ready", "kubeletVersion"}``.
- Role, ClusterRole: ``{"rules": [raw PolicyRule dicts, null as []],
  "aggregationRule": {...} or None}``.
- RoleBinding, ClusterRoleBinding: ``{"roleRef": {...}, "subjects": [...] (null as [])}``.

Asset ``owners`` are the raw ``ownerReferences``; ``managers`` are described in
`kubeconnector.discovery.managers`.

Relations (``relation_type``: source -> target; attributes):

- ``consumes-secret``: workload (Deployment/DaemonSet/StatefulSet for template-made Pods,
  the Pod itself for bare Pods and Pods of other controllers, the Pod for its ephemeral
  containers) or ServiceAccount (its ``imagePullSecrets``) -> Secret; ``via``, ``refresh``,
  ``container``, ``container_kind``, ``key``, ``variable``, ``prefix``, ``volume``,
  ``items``, ``mount_path``, ``sub_path``, ``optional``, ``service_account`` (pull secrets
  inherited from it); see `kubeconnector.discovery.relations`.
- ``runs-as``: workload or Pod -> ServiceAccount; ``automountServiceAccountToken``.
- ``token-of``: Secret -> ServiceAccount; ``evidence``: a list of ``annotation`` (its
  ``kubernetes.io/service-account.name``) and ``secrets`` (listed in the account's ``secrets``).
- ``binds``: binding -> subject (ServiceAccount, ``User/<name>``, ``Group/<name>``);
  ``role``: ``"Kind/name"``.
- ``grants``: binding -> Role or ClusterRole.
- ``owns``: owner (from ``ownerReferences``) -> object; ``apiVersion``, ``uid``,
  ``controller``.
- ``manages``: tool object (``Helm``, ``Application``, ``Kustomization``, ``HelmRelease``,
  ``ExternalSecret``, ``SealedSecret``) -> object; ``tool``, ``evidence``.

Any relation whose target is known not to exist carries ``missing: true``.
"""

from kubeconnector.discovery.kinds import KINDS, OPAQUE_OR_OTHER, SECRET_TYPES, Kind
from kubeconnector.discovery.linker import Inventory
from kubeconnector.discovery.progress import (
    ProgressCallback,
    ProgressEvent,
    RichProgressRenderer,
    rich_progress,
)
from kubeconnector.discovery.service import (
    Collected,
    ConnectorScope,
    DiscoveryResult,
    collect,
    discover,
)
from kubeconnector.discovery.source import CountingSource, ListSource

__all__ = [
    "KINDS",
    "OPAQUE_OR_OTHER",
    "SECRET_TYPES",
    "Collected",
    "ConnectorScope",
    "CountingSource",
    "DiscoveryResult",
    "Inventory",
    "Kind",
    "ListSource",
    "ProgressCallback",
    "ProgressEvent",
    "RichProgressRenderer",
    "collect",
    "discover",
    "rich_progress",
]
