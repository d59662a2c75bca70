"""Helpers every action uses (small, documented, no state).

- `digests`: keyed ``hmac:`` digests of secret values (`Digester`), base64
  helpers, and `scrub` for server messages that might quote a value.
- `checks`: `Target` (kind, namespace, name -> path and label), `read_target` (one GET: the
  object and the ``target-exists`` check, failed when missing or forbidden),
  `require_target` (the same during an execution), `permission_check` (one
  SelfSubjectAccessReview), `forceable_check` (a refusal ``force`` turns into a warning),
  `recheck_version` (at execution: the target is still the version the plan saw).
- `guards`: `manager_guard`: tool managers (Helm, Argo CD, Flux, External Secrets, Sealed
  Secrets) of an object as refusals (for the tools that would revert the change) and
  warnings.
- `consumers`: `read_namespace` (the live lists) and `secret_consumers` /
  `account_runners`: who uses a Secret or runs as a ServiceAccount, with `impact_items` and
  `blast_radius` for the plan.
- `writes`: `dry_run` (``dryRun=All`` of the exact write, as a check) and `Write` with
  `guarded_write` / `ensure_write`: journaled, precondition-guarded writes that are never
  applied twice, even when resent after a dropped connection or on resume; `delete_write`
  builds the guarded DELETE of one object (uid precondition).
- `rollbacks`: what every rollback does around its restoring write (the snapshot, a restore
  already done, refusing or auditing the overwrite of others' edits).
- `params`, `secret_data`, `restarts`, `rotation`, `tokens`: parameter parsing and
  what the Secret and token actions share.
"""

from kubeconnector.changes.helpers.checks import (
    TARGET_EXISTS,
    Lookup,
    Target,
    blocking,
    forceable_check,
    missing,
    permission_check,
    read_target,
    recheck_version,
    require_target,
    resource_version,
    uid_of,
)
from kubeconnector.changes.helpers.consumers import (
    Consumer,
    NamespaceView,
    account_runners,
    blast_radius,
    impact_items,
    read_namespace,
    secret_consumers,
)
from kubeconnector.changes.helpers.digests import (
    Digester,
    data_fingerprints,
    decode_b64,
    encode_b64,
    scrub,
)
from kubeconnector.changes.helpers.guards import ALL_TOOLS, ManagerGuard, manager_guard
from kubeconnector.changes.helpers.writes import (
    DRY_RUN,
    Write,
    delete_options,
    delete_write,
    deleted,
    dry_run,
    ensure_write,
    guarded_write,
    last_phase,
    read_live,
    terminating,
)

__all__ = [
    "ALL_TOOLS",
    "DRY_RUN",
    "TARGET_EXISTS",
    "Consumer",
    "Digester",
    "Lookup",
    "ManagerGuard",
    "NamespaceView",
    "Target",
    "Write",
    "account_runners",
    "blast_radius",
    "blocking",
    "data_fingerprints",
    "decode_b64",
    "delete_options",
    "delete_write",
    "deleted",
    "dry_run",
    "encode_b64",
    "ensure_write",
    "forceable_check",
    "guarded_write",
    "impact_items",
    "last_phase",
    "manager_guard",
    "missing",
    "permission_check",
    "read_live",
    "read_namespace",
    "read_target",
    "recheck_version",
    "require_target",
    "resource_version",
    "scrub",
    "secret_consumers",
    "terminating",
    "uid_of",
]
