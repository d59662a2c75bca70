"""Failpoints: a testing hook that kills the process at one chosen point of a change.

Crash-safety tests set ``KUBECONNECTOR_FAILPOINT=<point>:<when>`` (`Settings.failpoint`) for a
``kubeconnector change execute`` subprocess, which then dies by SIGKILL (no cleanup, no
``finally``) exactly there; ``kubeconnector change resume`` must then finish the change. The
points:

- ``<step>:before``: a journal step's intent is committed; its write has not been sent.
- ``<step>:after``: the write was sent; its ``done`` entry is not committed yet.
- ``<step>:done``: the ``done`` entry is committed.
- ``snapshot:before`` / ``snapshot:after``: around saving the pre-change snapshot.
- ``transition:<state>``: the record has just been committed in ``<state>``
  (e.g. ``transition:executing``, ``transition:verifying``).

With no failpoint set nothing happens; production never sets one.
"""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Callable
from dataclasses import dataclass, field

from kubeconnector.errors import ConfigError
from kubeconnector.settings import ENV_FAILPOINT

log = logging.getLogger(__name__)

STEP_MOMENTS = ("before", "after", "done")


def sigkill() -> None:
    """Kill this process at once, as a crash would."""
    os.kill(os.getpid(), signal.SIGKILL)


@dataclass(frozen=True)
class Failpoints:
    """The armed failpoint, if any.

    Attributes:
        point: The point name (a step name, ``snapshot`` or ``transition``), or None.
        when: The moment at that point.
        kill: What hitting it does (SIGKILL; tests of this module pass a recorder).
    """

    point: str | None = None
    when: str | None = None
    kill: Callable[[], None] = field(default=sigkill, repr=False, compare=False)

    @classmethod
    def parse(cls, spec: str | None, kill: Callable[[], None] = sigkill) -> Failpoints:
        """Read ``<point>:<when>`` (None or empty: no failpoint).

        Raises:
            ConfigError: The value does not have that form.
        """
        if not spec:
            return cls(kill=kill)
        point, sep, when = spec.strip().rpartition(":")
        if not sep or not point or not when:
            raise ConfigError(f"{ENV_FAILPOINT} must look like <step>:<before|after|done>")
        return cls(point, when, kill)

    def hit(self, point: str, when: str) -> None:
        """Kill the process if ``point:when`` is the armed failpoint."""
        if self.point == point and self.when == when:
            log.warning("failpoint %s:%s reached: killing the process", point, when)
            self.kill()
