"""Alembic migrations create exactly the models' schema, and go down and up again."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from connector.db import normalise_url
from connector.migrate import downgrade, upgrade
from connector.models import Base


def test_the_migrated_schema_is_the_models_schema(database_url):
    engine = create_engine(normalise_url(database_url))
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    finally:
        engine.dispose()
    assert diff == []


def test_downgrade_and_upgrade_again(database_url):
    downgrade(database_url, "base")
    engine = create_engine(normalise_url(database_url))
    try:
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade(database_url)
        assert {t.name for t in Base.metadata.sorted_tables} <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_uniqueness_lives_in_the_database(database_url):
    engine = create_engine(normalise_url(database_url))
    try:
        inspector = inspect(engine)
        unique = {tuple(c["column_names"]) for c in inspector.get_unique_constraints("webitel_user")}
    finally:
        engine.dispose()
    assert {("extension",), ("system_user_id",), ("webitel_user_id",), ("webitel_username_key",)} <= unique


def test_one_import_runs_at_a_time_by_the_databases_own_rule(database_url):
    """The partial unique index: a second running job is refused by the database, finished ones are not."""
    import uuid

    from sqlalchemy.exc import IntegrityError
    from sqlalchemy.orm import Session

    from connector.models import ImportJob

    engine = create_engine(normalise_url(database_url))
    try:
        with Session(engine) as session:
            session.add_all([ImportJob(id=uuid.uuid4(), status="succeeded", owner="t", summary={}),
                             ImportJob(id=uuid.uuid4(), status="failed", owner="t", summary={}),
                             ImportJob(id=uuid.uuid4(), status="running", owner="t", summary={})])
            session.commit()
            session.add(ImportJob(id=uuid.uuid4(), status="running", owner="t", summary={}))
            with pytest.raises(IntegrityError):
                session.commit()
    finally:
        engine.dispose()
