"""Change records in the database: schema, append-only history, sealed values, atomic events.

Every test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from kubeconnector.changes.lifecycle import check
from kubeconnector.crypto import KeyRing
from kubeconnector.errors import CryptoError, IllegalTransition, InvalidInput, StorageError
from kubeconnector.models.changes import ChangeState, StepPhase
from kubeconnector.store import AuditLog, Database, SealedValues
from kubeconnector.store.changes import ChangeRepository, NewChange
from kubeconnector.store.migrate import alembic_config
from kubeconnector.store.schema import Base

S = ChangeState


def new_change(**overrides: object) -> NewChange:
    fields: dict[str, object] = {
        "connector_id": "00000000-0000-4000-8000-0000000000c1",
        "connector_name": "sim",
        "environment": "dev",
        "action": "rotate-secret",
        "params": {"namespace": "shop", "name": "db", "values": {"password": "sha256:ab"}},
        "raw_params": {"namespace": "shop", "name": "db", "value.password": None},
        "requester": "alice",
        "secrets": {"param:value.password": b"hunter2-hunter2"},
    }
    return NewChange(**{**fields, **overrides})  # type: ignore[arg-type]


@pytest.fixture
def repo(database: Database, key_ring: KeyRing) -> ChangeRepository:
    return ChangeRepository(database, key_ring, AuditLog(database), rule=check)


def test_the_migrated_schema_matches_the_orm_models(database: Database) -> None:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert database.current_revision() == head
    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_a_new_record_is_a_draft_with_its_fields(repo: ChangeRepository) -> None:
    change_id = repo.create(new_change())
    record = repo.get(change_id)
    assert record.state == S.DRAFT
    assert (record.action, record.connector_name, record.requester) == (
        "rotate-secret",
        "sim",
        "alice",
    )
    assert record.params["values"] == {"password": "sha256:ab"}
    assert repo.raw_params(change_id) == {"namespace": "shop", "name": "db", "value.password": None}
    assert not record.has_snapshot and record.steps == () and record.approvals == ()


def test_transitions_follow_the_rule_and_keep_their_history(
    repo: ChangeRepository, database: Database
) -> None:
    change_id = repo.create(new_change())
    with repo.locked(change_id) as tx:
        tx.transition(S.PLANNED, "alice", "risk 5", required_approvals=1)
    with pytest.raises(IllegalTransition), repo.locked(change_id) as tx:
        tx.transition(S.COMPLETED, "alice")
    record = repo.get(change_id)
    assert (record.state, record.required_approvals) == (S.PLANNED, 1)
    with database.read() as session:
        rows = session.execute(
            text("SELECT from_state, to_state, actor, reason FROM change_transitions")
        ).all()
    assert [tuple(r) for r in rows] == [("draft", "planned", "alice", "risk 5")]


@pytest.mark.parametrize("table", ["change_transitions", "change_approvals", "change_steps"])
def test_history_tables_refuse_update_and_delete(
    repo: ChangeRepository, database: Database, table: str
) -> None:
    change_id = repo.create(new_change())
    with repo.locked(change_id) as tx:
        tx.transition(S.PLANNED, "alice")
        tx.decision("bob", "approved", "ok")
        tx.step("bob", "update-secret", "intent", {"secret": "shop/db"})
    for statement in (f"UPDATE {table} SET change_id = change_id", f"DELETE FROM {table}"):
        with pytest.raises(StorageError) as raised, database.write() as session:
            session.execute(text(statement))
        assert f"{table} is append-only" in str(raised.value)


def test_approvals_and_steps_are_appended_in_order(repo: ChangeRepository) -> None:
    change_id = repo.create(new_change())
    with repo.locked(change_id) as tx:
        tx.decision("bob", "approved", "first")
        tx.decision("carol", "approved")
        tx.step("bob", "update-secret", "intent", {"resourceVersion": "7"})
        tx.step("bob", "update-secret", "done", {"resourceVersion": "8"})
    record = repo.get(change_id)
    assert [(a.approver, a.comment) for a in record.approvals] == [("bob", "first"), ("carol", "")]
    assert [(s.name, s.phase, s.detail) for s in record.steps] == [
        ("update-secret", StepPhase.INTENT, {"resourceVersion": "7"}),
        ("update-secret", StepPhase.DONE, {"resourceVersion": "8"}),
    ]


def test_a_record_change_and_its_event_commit_together_or_not_at_all(
    repo: ChangeRepository, database: Database
) -> None:
    change_id = repo.create(new_change())
    before = AuditLog(database).head()
    with pytest.raises(InvalidInput), repo.locked(change_id) as tx:
        tx.transition(S.PLANNED, "alice")
        tx.step("bob", "leak", "intent", {"token": "abc"})  # the ledger guard refuses it
    assert repo.get(change_id).state == S.DRAFT
    assert repo.get(change_id).steps == ()
    assert AuditLog(database).head() == before


def test_sealed_values_open_only_for_their_own_record(
    repo: ChangeRepository, database: Database
) -> None:
    first, second = repo.create(new_change()), repo.create(new_change())
    with repo.locked(first) as tx:
        tx.save_snapshot("bob", {"data": {"password": "b2xk"}})
        assert tx.unseal("param:value.password", "bob", "test") == b"hunter2-hunter2"
    with database.write() as session:
        session.execute(
            text(
                "INSERT INTO change_snapshots (change_id, snapshot_sealed, key_id, created_at) "
                "SELECT :second, snapshot_sealed, key_id, created_at FROM change_snapshots "
                "WHERE change_id = :first"
            ),
            {"first": first, "second": second},
        )
        session.execute(
            text("UPDATE change_secrets SET value_sealed = (SELECT value_sealed FROM "
                 "change_secrets WHERE change_id = :first) WHERE change_id = :second"),
            {"first": first, "second": second},
        )  # fmt: skip
    with pytest.raises(CryptoError), repo.locked(second) as tx:
        tx.snapshot("bob", "test")
    with pytest.raises(CryptoError), repo.locked(second) as tx:
        tx.unseal("param:value.password", "bob", "test")


def test_each_decryption_is_an_event_in_its_own_transaction(
    repo: ChangeRepository, database: Database
) -> None:
    change_id = repo.create(new_change())
    with repo.locked(change_id) as tx:
        tx.save_snapshot("bob", {"data": {}})
    with repo.locked(change_id) as tx:
        assert tx.snapshot("carol", "change:x") == {"data": {}}
        tx.unseal("param:value.password", "carol", "change:x")
        assert tx.unseal("missing", "carol", "change:x") is None
    events = [(e.actor, e.event_type, e.payload) for e in AuditLog(database).list()]
    assert events[-2:] == [
        ("carol", "change.snapshot.decrypted", {"of": change_id, "operation": "change:x"}),
        ("carol", "change.secret.decrypted",
         {"name": "param:value.password", "of": None, "operation": "change:x"}),
    ]  # fmt: skip


def test_a_snapshot_is_saved_once_unless_replaced(repo: ChangeRepository) -> None:
    change_id = repo.create(new_change())
    with repo.locked(change_id) as tx:
        tx.save_snapshot("bob", {"replicas": 3})
    with pytest.raises(ValueError), repo.locked(change_id) as tx:
        tx.save_snapshot("bob", {"replicas": 4})
    with repo.locked(change_id) as tx:
        tx.save_snapshot("bob", {"replicas": 4}, replace=True)
        assert tx.snapshot("bob", "test") == {"replicas": 4}


def test_key_rotation_reseals_change_snapshots_and_secret_values(
    repo: ChangeRepository, database: Database, key_ring: KeyRing
) -> None:
    change_id = repo.create(new_change())
    with repo.locked(change_id) as tx:
        tx.save_snapshot("bob", {"data": {"password": "b2xk"}})
        tx.seal("generated.api-key", b"generated-value", "bob")
    rotated = key_ring.with_new_active_key("k2")
    assert SealedValues(database).reseal_all(rotated) == 3  # a snapshot, two secret values
    assert SealedValues(database).key_ids_in_use() == {"k2"}
    after = ChangeRepository(database, rotated, AuditLog(database))
    with after.locked(change_id) as tx:
        assert tx.snapshot("bob", "test") == {"data": {"password": "b2xk"}}
        assert tx.unseal("generated.api-key", "bob", "test") == b"generated-value"
        assert tx.unseal("param:value.password", "bob", "test") == b"hunter2-hunter2"


def test_an_unknown_field_cannot_be_updated(repo: ChangeRepository) -> None:
    change_id = repo.create(new_change())
    with pytest.raises(ValueError), repo.locked(change_id) as tx:
        tx.update(state="completed")
