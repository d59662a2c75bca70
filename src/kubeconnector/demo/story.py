"""The default demo: one connector's whole life, told with the real command line.

A Secret with consumers (``shop/db-credentials``, read by the ``cart`` Deployment and a debug
Pod) is rotated to a generated value: planned with its impact and risk, approved by as many
people as the risk needs, executed with a rolling restart of its consumers, verified, rolled
back, and every step is found in the tamper-evident ledger. The generated value itself is never
printed by any command.
"""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from kubeconnector.demo.cluster import DemoCluster
from kubeconnector.demo.shell import Shell, change_id, change_state

CONNECTOR = "demo"
SECRET = ("shop", "db-credentials")
GENERATED_KEY = "password"
OPERATOR = "alice"
APPROVERS = ("bob", "carol")
FINDINGS_LINES = 24
# An approval reprints the whole record; its head, down to the approvals, is what changed.
APPROVAL_LINES = 9


def header(console: Console, number: int, title: str, why: str) -> None:
    """A section header and one line saying what the step shows."""
    console.rule(Text(f"{number}. {title}", style="bold"), align="left")
    console.print(Text(why, style="dim"))


def cluster_section(console: Console, cluster: DemoCluster) -> None:
    """Step 1: where the demo cluster listens."""
    header(
        console, 1, "A cluster",
        "kubesim, a Kubernetes API server emulator, serves the demo scenario: shop, payments, "
        "monitoring and ci namespaces, their workloads, Secrets and RBAC.",
    )  # fmt: skip
    console.print(f"kubesim listens at {cluster.url}")
    console.print(
        f"its kubeconfig: {cluster.kubeconfig} (contexts admin, connector, discovery, nobody)\n"
    )


def add_connector(console: Console, shell: Shell, cluster: DemoCluster, number: int) -> None:
    """Register the cluster through its least-privileged context."""
    header(
        console, number, "Register the cluster as a connector",
        "The kubeconfig is validated and stored encrypted; only the chosen context is kept.",
    )  # fmt: skip
    shell.run(
        ["connector", "add", CONNECTOR, "--kubeconfig", str(cluster.kubeconfig),
         "--context", "connector", "--environment", "prod"]
    )  # fmt: skip


def discover(console: Console, shell: Shell, number: int) -> None:
    """Take the connector's inventory."""
    header(
        console, number, "Discover the inventory",
        "Workloads, Secrets, ServiceAccounts and RBAC, paged and stored; what the connector may "
        "not list is reported, not guessed.",
    )  # fmt: skip
    shell.run(["discover", CONNECTOR])


def run_story(console: Console, shell: Shell, cluster: DemoCluster) -> None:
    """Steps 2 to 12 of the default demo."""
    add_connector(console, shell, cluster, 2)
    header(
        console, 3, "Test the connection",
        "Server, version and identity, then what the connector's permissions give and miss, "
        "per action, with the YAML that grants what is missing.",
    )  # fmt: skip
    shell.run(["connector", "test", CONNECTOR])
    discover(console, shell, 4)
    _consumers(console, shell)
    header(
        console, 6, "RBAC findings",
        "Risky grants, most severe first, with the binding -> role -> rule that grants them.",
    )  # fmt: skip
    shell.run(["rbac", "findings", CONNECTOR], max_lines=FINDINGS_LINES)
    change = _plan(console, shell)
    _approve(console, shell, change)
    _execute(console, shell, change)
    _rollback(console, shell, change)
    _audit(console, shell, change)


def _consumers(console: Console, shell: Shell) -> None:
    namespace, name = SECRET
    header(
        console, 5, "Who consumes a Secret",
        "Every consumer, how it reads the Secret, and whether it sees a new value by itself.",
    )  # fmt: skip
    shell.run(["assets", CONNECTOR, f"secret/{namespace}/{name}", "--consumers"])


def _plan(console: Console, shell: Shell) -> str:
    namespace, name = SECRET
    header(
        console, 7, "Plan a rotation",
        "Checks, a server-side dry run, the diff (digests, never values), the impact on the "
        "consumers and the risk, which sets how many approvals are needed.",
    )  # fmt: skip
    output = shell.run(
        ["change", "plan", CONNECTOR, "rotate-secret",
         "--param", f"namespace={namespace}", "--param", f"name={name}",
         "--param", f"generate.{GENERATED_KEY}=32", "--param", "restart_consumers=true",
         "--as", OPERATOR]
    )  # fmt: skip
    return change_id(output)


def _approve(console: Console, shell: Shell, change: str) -> None:
    header(
        console, 8, "Approve",
        "Nobody approves their own change; a high risk needs two approvers.",
    )  # fmt: skip
    approve_all(shell, change)


def approve_all(shell: Shell, change: str) -> None:
    """Approve as each approver in turn until the change is no longer waiting for one."""
    for approver in APPROVERS:
        output = shell.run(
            ["change", "approve", change, "--as", approver], max_lines=APPROVAL_LINES
        )
        if change_state(output) != "planned":
            return


def _execute(console: Console, shell: Shell, change: str) -> None:
    header(
        console, 9, "Execute",
        "The Secret gets a generated value (sealed in the ledger, never shown), its consumers "
        "roll, and the result is verified.",
    )  # fmt: skip
    shell.run(["change", "execute", change, "--as", OPERATOR])
    header(
        console, 10, "The change record",
        "State, approvals, the journal of every write, and the verified result.",
    )  # fmt: skip
    shell.run(["change", "show", change])


def _rollback(console: Console, shell: Shell, change: str) -> None:
    header(
        console, 11, "Roll back",
        "A linked rollback record restores the previous data byte for byte and restarts the "
        "consumers again.",
    )  # fmt: skip
    output = shell.run(["change", "rollback", change, "--as", OPERATOR])
    if change_state(output) == "planned":
        rollback = change_id(output)
        approve_all(shell, rollback)
        shell.run(["change", "execute", rollback, "--as", OPERATOR])


def _audit(console: Console, shell: Shell, change: str) -> None:
    header(
        console, 12, "The ledger",
        "Every event of the change, by whom, hash-chained: verifying the chain detects any "
        "edit, deletion or reordering.",
    )  # fmt: skip
    shell.run(["audit", "list", "--change", change])
    shell.run(["audit", "verify"])
