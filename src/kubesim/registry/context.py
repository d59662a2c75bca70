"""Per-request inputs to the registry: who writes, how, and the request options' validation."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field

from kubesim.api import fielderrors, status
from kubesim.auth.user import UserInfo

FIELD_VALIDATION = ("Ignore", "Warn", "Strict")


def now_rfc3339() -> str:
    """Timestamps as the API server writes them: UTC, whole seconds, `Z` suffix."""
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_uid() -> str:
    return str(uuid.uuid4())


@dataclass
class WriteContext:
    """Who is writing and with which options; warnings collect `Warning:` headers."""

    user: UserInfo
    manager: str = ""
    explicit_manager: bool = False
    dry_run: bool = False
    field_validation: str = "Warn"
    force: bool = False
    trusted: bool = False  # internal bulk loads skip strict decoding
    warnings: list[str] = field(default_factory=list)

    def warn(self, text: str) -> None:
        if text not in self.warnings:
            self.warnings.append(text)


def manager_from(query: Mapping[str, str], user_agent: str) -> str:
    """fieldManager, else the User-Agent up to its first `/` (as the real server derives it)."""
    manager = query.get("fieldManager", "")
    if manager:
        return manager
    return user_agent.split("/", 1)[0][:128] if user_agent else "unknown"


def write_context(
    user: UserInfo, query: Mapping[str, str], user_agent: str, options_kind: str
) -> WriteContext:
    """Validate the write options of a request (dryRun, fieldValidation, fieldManager)."""
    errors: list[fielderrors.FieldError] = []
    dry_run = query.get("dryRun")
    if dry_run is not None and dry_run != "All":
        errors.append(fielderrors.not_supported("dryRun", [dry_run], ["All"]))
    validation = query.get("fieldValidation") or "Warn"
    if validation not in FIELD_VALIDATION:
        errors.append(fielderrors.not_supported("fieldValidation", validation, FIELD_VALIDATION))
    manager = query.get("fieldManager", "")
    if len(manager) > 128:
        errors.append(fielderrors.too_long("fieldManager", "may not be more than 128 bytes"))
    if errors:
        raise status.options_invalid(options_kind, errors)
    return WriteContext(
        user=user,
        manager=manager_from(query, user_agent),
        explicit_manager=bool(manager),
        dry_run=dry_run == "All",
        field_validation=validation,
    )
