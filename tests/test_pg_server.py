"""The throwaway PostgreSQL server the database tests use (tests/pg_server.py): it starts, serves
two databases through SQLAlchemy, survives a stop and restart, and leaves nothing behind."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa
from pg_server import PostgresServer, postgres, postgres_available  # noqa: F401 (postgres: fixture)

pytestmark = pytest.mark.skipif(postgres_available() is not None, reason=str(postgres_available()))


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _owner(pid: int) -> int | None:
    """The uid running pid, or None once it has exited (a backend whose connection just closed)."""
    try:
        return os.stat(f"/proc/{pid}").st_uid
    except FileNotFoundError:
        return None


def test_two_databases_stop_restart_and_cleanup():
    server = PostgresServer()
    with server:
        base = server.base
        assert server.url("x").startswith(f"postgresql://postgres@127.0.0.1:{server.port}/")
        first, second = server.create_database("first"), server.create_database("second")
        for url, value in ((first, 1), (second, 2)):
            engine = sa.create_engine(url)
            with engine.begin() as conn:
                conn.execute(sa.text("CREATE TABLE t (v int)"))
                conn.execute(sa.text("INSERT INTO t VALUES (:v)"), {"v": value})
            engine.dispose()
        # Listening on loopback only, socket in its own folder, as an unprivileged user.
        with server.connect() as conn:
            assert conn.execute("SHOW listen_addresses").fetchone()[0] == "127.0.0.1"
            assert conn.execute("SHOW unix_socket_directories").fetchone()[0] == str(server.socket_dir)
            assert conn.execute("SHOW fsync").fetchone()[0] == "off"
        pids = server.pids()
        owners = [uid for uid in map(_owner, pids) if uid is not None]
        assert len(owners) > 1  # postmaster and its helpers
        assert 0 not in owners

        engine = sa.create_engine(first, pool_pre_ping=True)
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT v FROM t")).scalar() == 1
        port = server.port
        server.stop()
        assert not server.running and not any(_alive(p) for p in pids)
        with pytest.raises(sa.exc.OperationalError):
            with sa.create_engine(first).connect():
                pass
        server.start()
        assert server.port == port
        with engine.connect() as conn:  # the pool's dead connection is replaced
            assert conn.execute(sa.text("SELECT v FROM t")).scalar() == 1
        with sa.create_engine(second).connect() as conn:
            assert conn.execute(sa.text("SELECT v FROM t")).scalar() == 2
        engine.dispose()
        pids = server.pids()
    assert not any(_alive(p) for p in pids)
    assert not base.exists()


def test_cleanup_after_a_failing_test():
    server = PostgresServer()
    with pytest.raises(RuntimeError, match="a test failed"):
        with server:
            base, pids = server.base, server.pids()
            raise RuntimeError("a test failed")
    assert not base.exists() and not any(_alive(p) for p in pids)


def test_fixture_gives_each_test_its_own_database(postgres):  # noqa: F811 (the fixture)
    one, two = postgres.fresh_database("one"), postgres.fresh_database("one")
    assert one != two
    with sa.create_engine(one).connect() as conn:
        assert conn.execute(sa.text("SELECT current_database()")).scalar() == one.rsplit("/", 1)[1]
