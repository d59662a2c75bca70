"""What the running API shares between requests: settings, one database, users and jobs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from fastapi import Request

from kubeconnector.api.jobs import JobRunner
from kubeconnector.api.limits import Limits
from kubeconnector.changes.base import ChangeOptions
from kubeconnector.kube import ClientOptions
from kubeconnector.session import Session
from kubeconnector.settings import Settings
from kubeconnector.store import AuditLog, Database, UserRepository


@dataclass(frozen=True)
class ApiOptions:
    """How the API behaves.

    Attributes:
        limits: Body size and rate limits.
        job_workers: Background jobs (discovery, executions) run at once.
        client_options: How clients talk to clusters (default timeouts and retries).
        change_options: Timeouts and pacing of change executions.
        resume_at_start: Resume changes left executing or verifying when the app starts.
    """

    limits: Limits = field(default_factory=Limits)
    job_workers: int = 4
    client_options: ClientOptions | None = None
    change_options: ChangeOptions | None = None
    resume_at_start: bool = True


class ApiState:
    """The shared state of one API application.

    Args:
        settings: Where the database and the key ring are.
        options: How the API behaves.
    """

    def __init__(self, settings: Settings, options: ApiOptions) -> None:
        self.settings = settings
        self.options = options
        self._database: Database | None = None
        self.jobs = JobRunner(options.job_workers)

    @property
    def database(self) -> Database:
        """The database, opened and migrated once, at first use."""
        if self._database is None:
            self._database = Database.open(self.settings.database_url)
        return self._database

    @property
    def users(self) -> UserRepository:
        """The API users."""
        return UserRepository(self.database, AuditLog(self.database))

    @contextmanager
    def session(self, actor: str) -> Iterator[Session]:
        """A session acting as ``actor`` over the shared database."""
        with Session(
            self.settings,
            actor,
            client_options=self.options.client_options,
            database=self.database,
        ) as opened:
            yield opened

    def close(self) -> None:
        """Stop the job runner and close the database."""
        self.jobs.shutdown()
        if self._database is not None:
            self._database.dispose()


def api_state(request: Request) -> ApiState:
    """The application's state (a FastAPI dependency)."""
    state: ApiState = request.app.state.api
    return state
