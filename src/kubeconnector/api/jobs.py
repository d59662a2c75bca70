"""Background jobs: discovery runs and change executions, run in a thread pool.

A job is queued, runs, and ends ``succeeded`` or ``failed``; its state, live progress, result
and error are kept in memory (the newest `MAX_JOBS`) and answered by ``GET /jobs/{id}``. The
work itself is recorded in the ledger as usual, so nothing is lost when the server restarts.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from kubeconnector.api.errors import INTERNAL_MESSAGE, ErrorBody, error_body
from kubeconnector.discovery import ProgressEvent
from kubeconnector.errors import ChangeError, KubeConnectorError
from kubeconnector.store.types import utc_now

log = logging.getLogger(__name__)
MAX_JOBS = 1000


class JobKind(StrEnum):
    """What a job does."""

    DISCOVERY = "discovery"
    EXECUTE = "execute"
    ROLLBACK = "rollback"
    RESUME = "resume"


class JobState(StrEnum):
    """Where a job is."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class JobProgress(BaseModel):
    """How far a job got: the kind being listed, items and pages so far, the current stage."""

    kind: str | None = None
    items: int = 0
    pages: int = 0
    stage: str = ""


class Job(BaseModel):
    """A background job as the API answers it."""

    id: str
    kind: JobKind
    state: JobState
    progress: JobProgress = Field(default_factory=JobProgress)
    result: dict[str, Any] | None = None
    error: ErrorBody | None = None
    created_at: datetime
    finished_at: datetime | None = None


class ChangeFailed(ChangeError):
    """A change ended ``failed``; the job fails with the change record as its result."""

    reason = "ChangeFailed"

    def __init__(self, message: str, result: dict[str, Any]) -> None:
        super().__init__(message)
        self.result = result


@dataclass
class Reporter:
    """Given to a job's work to report progress (thread-safe)."""

    job: Job
    lock: threading.Lock = field(default_factory=threading.Lock)

    def discovery(self, event: ProgressEvent) -> None:
        """A discovery progress event."""
        with self.lock:
            self.job.progress = JobProgress(
                kind=event.kind, items=event.items, pages=event.pages, stage=event.state
            )

    def stage(self, message: str) -> None:
        """A stage of a change's execution."""
        with self.lock:
            self.job.progress = self.job.progress.model_copy(update={"stage": message})

    def snapshot(self) -> Job:
        """A copy of the job as it is now."""
        with self.lock:
            return self.job.model_copy(deep=True)


Work = Callable[[Reporter], dict[str, Any]]


class JobRunner:
    """Runs jobs on a thread pool and remembers the newest `MAX_JOBS`.

    Args:
        workers: Jobs run at once.
    """

    def __init__(self, workers: int) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="kc-job")
        self._jobs: OrderedDict[str, Reporter] = OrderedDict()
        self._lock = threading.Lock()

    def submit(self, kind: JobKind, work: Work) -> Job:
        """Queue ``work``; returns the queued job."""
        job = Job(id=str(uuid.uuid4()), kind=kind, state=JobState.QUEUED, created_at=utc_now())
        reporter = Reporter(job)
        with self._lock:
            self._jobs[job.id] = reporter
            while len(self._jobs) > MAX_JOBS:
                self._jobs.popitem(last=False)
        self._pool.submit(_run, reporter, work)
        return reporter.snapshot()

    def get(self, job_id: str) -> Job | None:
        """A job as it is now, or None when unknown (or forgotten)."""
        with self._lock:
            reporter = self._jobs.get(job_id)
        return reporter.snapshot() if reporter else None

    def shutdown(self) -> None:
        """Wait for running jobs; drop queued ones."""
        self._pool.shutdown(wait=True, cancel_futures=True)


def _run(reporter: Reporter, work: Work) -> None:
    _update(reporter, state=JobState.RUNNING)
    try:
        result = work(reporter)
    except ChangeFailed as exc:
        _update(reporter, state=JobState.FAILED, result=exc.result, error=error_body(exc))
    except KubeConnectorError as exc:
        _update(reporter, state=JobState.FAILED, error=error_body(exc))
    except Exception as exc:
        # The exception text may quote cluster data; the type is enough in the log.
        log.error("job %s failed with %s", reporter.job.id, type(exc).__name__)
        internal = ErrorBody(reason="InternalError", message=INTERNAL_MESSAGE)
        _update(reporter, state=JobState.FAILED, error=internal)
    else:
        _update(reporter, state=JobState.SUCCEEDED, result=result)


def _update(reporter: Reporter, **changes: Any) -> None:
    if changes["state"] in (JobState.SUCCEEDED, JobState.FAILED):
        changes["finished_at"] = utc_now()
    with reporter.lock:
        reporter.job = reporter.job.model_copy(update=changes)
