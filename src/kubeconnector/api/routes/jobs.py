"""``GET /jobs/{id}``: a background job's state, progress, result and error."""

from __future__ import annotations

from fastapi import APIRouter

from kubeconnector.api.auth import Reader, State
from kubeconnector.api.jobs import Job
from kubeconnector.errors import RecordNotFound

router = APIRouter(tags=["jobs"])


@router.get("/jobs/{job_id}")
def get_job(job_id: str, state: State, _reader: Reader) -> Job:
    """A job as it is now (jobs are kept in memory, the newest 1000)."""
    job = state.jobs.get(job_id)
    if job is None:
        raise RecordNotFound(f"job {job_id[:64]!r} not found")
    return job
