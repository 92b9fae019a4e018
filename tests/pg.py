"""PostgreSQL for the store tests: the server `make test` starts (scripts/start-postgres.sh)
is named by REDACTOR_TEST_PG_URL. Without it the PostgreSQL tests skip, unless
REDACTOR_REQUIRE_PG=1 (set by `make test`, so CI runs them for real): then they fail."""
from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from typing import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def pg_url_or_skip() -> str:
    url = os.environ.get("REDACTOR_TEST_PG_URL")
    required = os.environ.get("REDACTOR_REQUIRE_PG") == "1"
    if not url:
        if required:
            pytest.fail("REDACTOR_REQUIRE_PG=1 but REDACTOR_TEST_PG_URL is not set "
                        "(scripts/start-postgres.sh starts a server and prints it)")
        pytest.skip("no PostgreSQL server: set REDACTOR_TEST_PG_URL (make test starts one)")
    try:
        engine = create_engine(url)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:
        if required:
            pytest.fail(f"REDACTOR_REQUIRE_PG=1 but PostgreSQL at {make_url(url).render_as_string()} "
                        f"is not reachable: {exc}")
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    return url


@contextmanager
def pg_schema(url: str) -> Iterator[str]:
    """A fresh schema for one test, and the URL that uses it (dropped afterwards)."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {name}"))
    scoped = make_url(url).update_query_dict({"options": f"-csearch_path={name}"})
    try:
        yield scoped.render_as_string(hide_password=False)
    finally:
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {name} CASCADE"))
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request) -> Iterator[str | None]:
    """None: the case folder's SQLite file; else a PostgreSQL URL (its own schema)."""
    if request.param == "sqlite":
        yield None
    else:
        with pg_schema(pg_url_or_skip()) as url:
            yield url
