"""Rolling restarts of a Secret's consumers, one at a time, each verified, never repeated.

The restart itself is `kubeconnector.changes.rollout.restart_workload` (``kubectl rollout
restart``: the ``restartedAt`` annotation with a resourceVersion precondition, then waiting for
the rollout). Each workload has its own journal step, ``restart-<kind>/<name>``. On resume,
every target goes through `restart_workload` again: a restart the journal holds (done, or
intended and visible in the live template) is not sent again, only its rollout is waited for.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from kubeconnector.changes.base import ActionContext, Journal
from kubeconnector.changes.helpers.consumers import Consumer
from kubeconnector.changes.helpers.writes import last_phase
from kubeconnector.changes.rollout import restart_workload

RestartTarget = dict[str, str]


def restart_targets(consumers: Iterable[Consumer]) -> list[RestartTarget]:
    """The workloads a rolling restart must refresh (env, envFrom, subPath, plugin uses)."""
    found = [
        {"kind": c.kind, "namespace": c.namespace, "name": c.name}
        for c in consumers
        if c.needs_restart and c.restartable
    ]
    return sorted(found, key=lambda t: (t["kind"], t["name"]))


def manual_restarts(consumers: Iterable[Consumer]) -> list[str]:
    """Consumers that need a restart no rolling restart can give (bare Pods, Job Pods)."""
    return sorted(c.subject for c in consumers if c.needs_restart and not c.restartable)


def restart_step(target: Mapping[str, str]) -> str:
    """The journal step of one workload's restart."""
    return f"restart-{target['kind'].lower()}/{target['name']}"


def subject(target: Mapping[str, str]) -> str:
    """``Deployment shop/cart``."""
    return f"{target['kind']} {target['namespace']}/{target['name']}"


def restart_all(
    ctx: ActionContext, journal: Journal, targets: Sequence[Mapping[str, str]]
) -> list[str]:
    """Restart each target in turn and wait for its rollout; skip those already done.

    Returns:
        The subjects restarted (now or before a resume).

    Raises:
        ChangeError: A workload cannot be restarted (gone, changed, paused, OnDelete).
        RolloutFailed: A rollout failed or timed out (the later targets are not restarted).
    """
    done: list[str] = []
    for target in targets:
        step = restart_step(target)
        if last_phase(journal, step) is None:
            journal.progress(f"restarting {subject(target)} ({len(done) + 1}/{len(targets)})")
        restart_workload(ctx, target["kind"], target["namespace"], target["name"], journal, step)
        done.append(subject(target))
    return done
