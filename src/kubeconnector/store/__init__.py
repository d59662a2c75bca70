"""kubeconnector's database: connectors, the ledger, the discovered inventory and API users.

Open it with ``Database.open(settings.database_url)`` (which migrates to the newest schema),
then use the repositories; they return `kubeconnector.models` records.
"""

from kubeconnector.store.audit import AuditLog
from kubeconnector.store.connectors import ConnectorRepository
from kubeconnector.store.database import Database
from kubeconnector.store.inventory import CONSUMES_SECRET, AssetRepository
from kubeconnector.store.redaction import check_payload
from kubeconnector.store.sealed import (
    SEALED_COLUMNS,
    Cipher,
    SealedColumn,
    SealedValues,
    record_aad,
)
from kubeconnector.store.users import Role, UserRecord, UserRepository

__all__ = [
    "CONSUMES_SECRET",
    "SEALED_COLUMNS",
    "AssetRepository",
    "AuditLog",
    "Cipher",
    "ConnectorRepository",
    "Database",
    "Role",
    "SealedColumn",
    "SealedValues",
    "UserRecord",
    "UserRepository",
    "check_payload",
    "record_aad",
]
