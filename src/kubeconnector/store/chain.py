"""The ledger's hash chain: the canonical event encoding and the chain walk that verifies it.

An event's hash is SHA-256 over the canonical JSON (sorted keys, no spaces, UTF-8) of
``["kubeconnector-audit-v1", seq, id, ts, actor, event_type, resource_type, resource_id,
payload, prev_hash]`` with ``ts`` written ``YYYY-MM-DDTHH:MM:SS.ffffffZ``. Because the sequence
number is hashed, moving an event to another position is detectable, and because each event
names its predecessor's hash, so is removing one. The chain-head row records the last
sequence number and hash, so removing events from the end is detectable too.

`ChainWalk` is pure: it is fed events in sequence order and reports every problem it sees.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pydantic import JsonValue

from kubeconnector.models.audit import AuditEvent, ChainProblem, ChainReport, ProblemKind
from kubeconnector.store.schema import GENESIS_HASH

DOMAIN = "kubeconnector-audit-v1"
MAX_VACANT_CANDIDATES = 1000
MAX_REORDER_TRIALS = 1_000_000


def canonical_json(value: JsonValue) -> str:
    """JSON with sorted keys and no whitespace: one text per value."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def format_ts(ts: datetime) -> str:
    """The hashed form of a timestamp (UTC, microseconds, ``Z``)."""
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_digest(event: AuditEvent, seq: int | None = None) -> str:
    """The SHA-256 hex digest of an event's canonical encoding (its ``hash`` is ignored).

    Args:
        event: The event.
        seq: Hash as if the event sat at this position instead of its own.
    """
    material: list[JsonValue] = [
        DOMAIN,
        event.seq if seq is None else seq,
        event.id,
        format_ts(event.ts),
        event.actor,
        event.event_type,
        event.resource_type,
        event.resource_id,
        event.payload,
        event.prev_hash,
    ]
    return hashlib.sha256(canonical_json(material).encode()).hexdigest()


@dataclass
class ChainWalk:
    """Verifies a ledger fed in ascending ``seq`` order, then checked against its head."""

    count: int = 0
    problems: list[ChainProblem] = field(default_factory=list)
    _expected_seq: int = 1
    _prev_hash: str = GENESIS_HASH
    _prev_intact: bool = True
    _unhashed: list[AuditEvent] = field(default_factory=list)
    _vacant: set[int] = field(default_factory=set)

    def feed(self, event: AuditEvent) -> None:
        """Check one event against its own hash and its predecessor."""
        self.count += 1
        contiguous = self._check_position(event)
        intact = event_digest(event) == event.hash
        if not intact:
            self._unhashed.append(event)
        elif contiguous and self._prev_intact and event.prev_hash != self._prev_hash:
            self._report(
                ProblemKind.BROKEN_LINK,
                event.seq,
                f"event seq {event.seq} does not follow seq {event.seq - 1}: its prev_hash is "
                f"not the hash of seq {event.seq - 1} (that event was replaced or rehashed)",
                event.id,
            )
        self._expected_seq = max(self._expected_seq, event.seq + 1)
        self._prev_hash, self._prev_intact = event.hash, intact

    def finish(self, head_seq: int, head_hash: str) -> ChainReport:
        """Check the tail against the chain head and classify events whose hash failed."""
        self._check_head(head_seq, head_hash)
        self._classify_unhashed()
        problems = tuple(sorted(self.problems, key=lambda p: (p.seq, p.kind.value)))
        return ChainReport(
            ok=not problems,
            count=self.count,
            head_seq=head_seq,
            head_hash=head_hash,
            problems=problems,
        )

    def _check_position(self, event: AuditEvent) -> bool:
        if event.seq < self._expected_seq:
            self._report(
                ProblemKind.UNEXPECTED,
                event.seq,
                f"event seq {event.seq} is out of the ledger's sequence",
                event.id,
            )
            return False
        if event.seq > self._expected_seq:
            self._report_missing(self._expected_seq, event.seq - 1)
            return False
        return True

    def _check_head(self, head_seq: int, head_hash: str) -> None:
        last_seq = self._expected_seq - 1
        if last_seq < head_seq:
            self._report_missing(last_seq + 1, head_seq)
        elif last_seq > head_seq:
            self._report(
                ProblemKind.UNEXPECTED,
                head_seq + 1,
                f"events seq {head_seq + 1}..{last_seq} lie beyond the chain head "
                f"(seq {head_seq}): they were not appended through the ledger",
            )
        elif self.count and self._prev_hash != head_hash:
            self._report(
                ProblemKind.HEAD_MISMATCH,
                last_seq,
                f"the last event (seq {last_seq}) is not the one the chain head recorded",
            )

    def _classify_unhashed(self) -> None:
        # An event moved elsewhere hashes correctly only at the position it was appended at:
        # one another moved event occupies now, or one left vacant.
        positions = {event.seq for event in self._unhashed} | self._vacant
        if len(positions) * len(self._unhashed) > MAX_REORDER_TRIALS:
            positions = set()  # mass tampering: report each event as modified
        for event in self._unhashed:
            original = next(
                (s for s in sorted(positions - {event.seq}) if _hashes_at(event, s)), None
            )
            if original is None:
                message = (
                    f"event seq {event.seq} (id {event.id}) does not match its hash: "
                    "its content was modified"
                )
                self._report(ProblemKind.MODIFIED, event.seq, message, event.id)
            else:
                message = (
                    f"event id {event.id} sits at seq {event.seq} but was appended as "
                    f"seq {original}: events were reordered"
                )
                self._report(ProblemKind.REORDERED, event.seq, message, event.id)

    def _report_missing(self, first: int, last: int) -> None:
        if last - first < MAX_VACANT_CANDIDATES:
            self._vacant.update(range(first, last + 1))
        what = f"event seq {first} is" if first == last else f"events seq {first}..{last} are"
        self._report(
            ProblemKind.MISSING,
            first,
            f"{what} missing: deleted from the ledger",
            end_seq=last,
        )

    def _report(
        self,
        kind: ProblemKind,
        seq: int,
        message: str,
        event_id: str | None = None,
        end_seq: int | None = None,
    ) -> None:
        self.problems.append(
            ChainProblem(kind=kind, seq=seq, end_seq=end_seq, event_id=event_id, message=message)
        )


def _hashes_at(event: AuditEvent, seq: int) -> bool:
    return event_digest(event, seq) == event.hash
