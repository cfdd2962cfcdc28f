"""A real, throwaway PostgreSQL server for tests.

``PostgresServer`` runs Debian's (or any installed) PostgreSQL with its own data folder in a
temporary directory: initdb as an unprivileged user (postgres refuses to run as root), TCP only on
127.0.0.1 and a free port, its unix socket in its own temporary directory, trust authentication,
``fsync=off``. It can be stopped (fast shutdown) and started again on the same data folder and
port, and ``close()`` (or leaving the ``with`` block, or interpreter exit) leaves no process and no
folder behind.

    with PostgresServer() as pg:
        pg.create_database("gradebook")
        engine = sqlalchemy.create_engine(pg.url("gradebook"))   # psycopg 3

Tests use the ``postgres`` fixture (one server per pytest process) and ask it for a fresh
database each::

    from pg_server import postgres  # noqa: F401 (the fixture)

    def test_something(postgres):
        url = postgres.fresh_database("something")

``postgres_available()`` says why the server cannot run here (None when it can), for skips.
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import re
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path

import pytest

SUPERUSER = "postgres"  # the cluster's superuser (initdb -U), whatever OS user runs the server
START_TIMEOUT = 60.0  # seconds; a busy 2-core machine needs a few, a healthy one well under 1
STOP_TIMEOUT = 30.0
REQUIRED = ("initdb", "postgres")
INSTALL_HINT = "install Debian's PostgreSQL: sudo apt-get install postgresql"


class PostgresError(RuntimeError):
    pass


# ---------------------------------------------------------------------------------------------
# Finding the binaries and the user to run them as


def _version_key(bindir: str) -> tuple[int, ...]:
    found = re.search(r"/postgresql/([0-9.]+)/", bindir + "/")
    return tuple(int(x) for x in found.group(1).split(".") if x) if found else (0,)


def find_bindir() -> Path | None:
    """The folder holding initdb and postgres: $PG_BINDIR, ``pg_config --bindir``, else the newest
    /usr/lib/postgresql/<version>/bin."""
    candidates: list[str] = []
    if os.environ.get("PG_BINDIR"):
        candidates.append(os.environ["PG_BINDIR"])
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, timeout=10)
            if out.returncode == 0 and out.stdout.strip():
                candidates.append(out.stdout.strip())
        except (OSError, subprocess.SubprocessError):
            pass
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True)
    for directory in candidates:
        if all(os.access(os.path.join(directory, name), os.X_OK) for name in REQUIRED):
            return Path(directory)
    return None


def _run_as_user() -> pwd.struct_passwd | None:
    """When we are root: the unprivileged user that owns and runs the server ($PG_TEST_USER, else
    Debian's ``postgres`` system user, else ``nobody``). None when we are not root."""
    if os.geteuid() != 0:
        return None
    for name in (os.environ.get("PG_TEST_USER"), "postgres", "nobody"):
        if not name:
            continue
        try:
            user = pwd.getpwnam(name)
        except KeyError:
            continue
        if user.pw_uid != 0:
            return user
    return None


def _drop_privileges_prefix(user: pwd.struct_passwd | None) -> list[str]:
    if user is None:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv:
        prefix = [setpriv, f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--init-groups"]
        # The server gets SIGINT (fast shutdown) if the thread that started it dies without
        # cleaning up (a killed pytest). Only from the main thread: the signal follows the thread.
        if threading.current_thread() is threading.main_thread():
            prefix.append("--pdeathsig=INT")
        return prefix
    runuser = shutil.which("runuser")
    if runuser:
        return [runuser, "-u", user.pw_name, "--"]
    raise PostgresError("running as root needs setpriv or runuser (util-linux) to start PostgreSQL as "
                        f"the unprivileged user {user.pw_name!r}")


_AVAILABLE: list[str | None] = []


def postgres_available() -> str | None:
    """None when a throwaway server can run here; else why not (for ``pytest.skip``)."""
    if _AVAILABLE:
        return _AVAILABLE[0]
    _AVAILABLE.append(_why_unavailable())
    return _AVAILABLE[0]


def _why_unavailable() -> str | None:
    if os.name != "posix":
        return "the throwaway PostgreSQL server needs a POSIX system"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg (3) is not installed in this environment"
    if find_bindir() is None:
        return f"PostgreSQL server binaries (initdb, postgres) not found; {INSTALL_HINT}"
    if os.geteuid() == 0:
        user = _run_as_user()
        if user is None:
            return "running as root and no unprivileged user (postgres, nobody) to run PostgreSQL as"
        if not (shutil.which("setpriv") or shutil.which("runuser")):
            return "running as root without setpriv or runuser to start PostgreSQL as an unprivileged user"
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _traversable_by(path: Path, user: pwd.struct_passwd | None) -> bool:
    """Can ``user`` reach into ``path`` (every ancestor searchable)?"""
    if user is None:
        return True
    groups = {user.pw_gid} | set(os.getgrouplist(user.pw_name, user.pw_gid))
    for part in [path, *path.parents]:
        mode = part.stat()
        if mode.st_uid == user.pw_uid:
            ok = mode.st_mode & stat.S_IXUSR
        elif mode.st_gid in groups:
            ok = mode.st_mode & stat.S_IXGRP
        else:
            ok = mode.st_mode & stat.S_IXOTH
        if not ok:
            return False
    return True


# ---------------------------------------------------------------------------------------------
# The server


class PostgresServer:
    """One throwaway PostgreSQL cluster. ``start()`` initialises it on first use."""

    def __init__(self, bindir: Path | None = None, start_timeout: float = START_TIMEOUT):
        why = None if bindir else postgres_available()
        if why:
            raise PostgresError(why)
        self.bindir = Path(bindir or find_bindir())
        self.start_timeout = start_timeout
        self.user = _run_as_user()
        self.host = "127.0.0.1"
        self.port: int | None = None
        self.base: Path | None = None
        self.process: subprocess.Popen | None = None
        self._log_file = None
        self._lock = threading.RLock()
        atexit.register(self.close)

    # Paths inside the temporary folder ------------------------------------------------------
    @property
    def data_dir(self) -> Path:
        return self.base / "data"

    @property
    def socket_dir(self) -> Path:
        return self.base / "socket"

    @property
    def log_path(self) -> Path:
        return self.base / "server.log"

    # Public API -------------------------------------------------------------------------------
    def url(self, database: str = "postgres") -> str:
        """SQLAlchemy / libpq URL (``postgresql://`` is psycopg 3 with SQLAlchemy 2.1)."""
        if self.port is None:
            raise PostgresError("the server was never started")
        return f"postgresql://{SUPERUSER}@{self.host}:{self.port}/{database}"

    def connect(self, database: str = "postgres", **kwargs):
        """A psycopg connection to ``database``."""
        import psycopg

        kwargs.setdefault("connect_timeout", 5)
        return psycopg.connect(host=self.host, port=self.port, user=SUPERUSER, dbname=database, **kwargs)

    def create_database(self, name: str) -> str:
        """CREATE DATABASE ``name``; returns its URL."""
        from psycopg import sql

        with self.connect(autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)

    def drop_database(self, name: str) -> None:
        from psycopg import sql

        with self.connect(autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def fresh_database(self, hint: str = "test") -> str:
        """A new, empty database with a unique name built from ``hint``; returns its URL."""
        stem = re.sub(r"[^a-z0-9_]+", "_", hint.lower()).strip("_")[:40] or "test"
        return self.create_database(f"{stem}_{uuid.uuid4().hex[:8]}")

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> PostgresServer:
        """Start the server (initdb first time) and wait until it accepts connections."""
        with self._lock:
            if self.running:
                return self
            if self.base is None:
                self._init_cluster()
                # A port another process grabs between our probe and the server's bind: try another.
                for attempt in range(3):
                    self.port = _free_port()
                    self._write_settings()
                    try:
                        self._launch()
                        break
                    except PostgresError:
                        if attempt == 2 or not self._port_clash():
                            raise
            else:
                self._launch()  # same data folder, same port: URLs handed out stay valid
            return self

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """Fast shutdown (sessions are cut, no wait for clients); immediate, then kill, if slow."""
        with self._lock:
            proc, self.process = self.process, None
            if proc is None:
                return
            try:
                if proc.poll() is None:
                    pid = self._postmaster_pid() or proc.pid
                    for sig, wait in ((signal.SIGINT, timeout), (signal.SIGQUIT, 10), (signal.SIGKILL, 10)):
                        self._signal(pid, sig)
                        if pid != proc.pid:
                            self._signal(proc.pid, sig)  # runuser in between
                        try:
                            proc.wait(wait)
                            break
                        except subprocess.TimeoutExpired:
                            continue
                self._wait_children_gone(5)
            finally:
                if self._log_file:
                    self._log_file.close()
                    self._log_file = None

    def close(self) -> None:
        """Stop the server and remove its folder (data, socket, log). Safe to call twice."""
        try:
            self.stop()
        finally:
            if self.base is not None:
                shutil.rmtree(self.base, ignore_errors=True)
                self.base = None
            atexit.unregister(self.close)

    def pids(self) -> set[int]:
        """The postmaster and its child processes (for tests that check nothing is left)."""
        pid = self._postmaster_pid() or (self.process.pid if self.process else None)
        if not pid:
            return set()
        return {pid} | _children_of(pid)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except (OSError, TypeError):
            return "(no server log)"

    def __enter__(self) -> PostgresServer:
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc) -> None:
        self.close()

    # Internals ------------------------------------------------------------------------------
    def _as_user(self, command: list[str], **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run(_drop_privileges_prefix(self.user) + command, env=self._env(),
                              capture_output=True, text=True, **kwargs)

    def _env(self) -> dict[str, str]:
        # A clean environment: no PG* variables of the caller, messages in plain English.
        return {"PATH": f"{self.bindir}:/usr/bin:/bin", "LC_ALL": "C", "LANG": "C", "HOME": str(self.base),
                "TZ": "UTC"}

    def _make_base(self) -> Path:
        for parent in (Path(tempfile.gettempdir()), Path("/tmp")):
            if parent.is_dir() and _traversable_by(parent, self.user):
                return Path(tempfile.mkdtemp(prefix="pgtest-", dir=parent))
        raise PostgresError(f"no temporary folder the user {self.user.pw_name!r} can reach")

    def _init_cluster(self) -> None:
        self.base = self._make_base()
        self.socket_dir.mkdir()
        if self.user is not None:
            for path in (self.base, self.socket_dir):
                os.chown(path, self.user.pw_uid, self.user.pw_gid)
        os.chmod(self.base, 0o700)
        result = self._as_user([str(self.bindir / "initdb"), "-D", str(self.data_dir), "-U", SUPERUSER,
                                "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"], timeout=300)
        if result.returncode != 0:
            raise PostgresError(f"initdb failed (exit {result.returncode}):\n{result.stdout[-2000:]}"
                                f"{result.stderr[-3000:]}")
        # Loopback only, trust (initdb wrote trust lines; these are all the server needs).
        (self.data_dir / "pg_hba.conf").write_text(
            "local all all trust\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n")

    def _write_settings(self) -> None:
        # postgresql.auto.conf is read after postgresql.conf and wins; rewritten per port attempt.
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "port": str(self.port),
            "unix_socket_directories": f"'{self.socket_dir}'",
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "shared_buffers": "'32MB'",
            "max_connections": "60",
            "autovacuum": "off",
            "logging_collector": "off",
            "log_min_messages": "warning",
            "dynamic_shared_memory_type": "posix" if os.path.isdir("/dev/shm") else "mmap",
        }
        auto = self.data_dir / "postgresql.auto.conf"
        auto.write_text("".join(f"{k} = {v}\n" for k, v in settings.items()))
        if self.user is not None:
            os.chown(auto, self.user.pw_uid, self.user.pw_gid)

    def _launch(self) -> None:
        if self._log_file:  # the previous server died on its own
            self._log_file.close()
        self._log_file = open(self.log_path, "ab")  # opened by us: the server only inherits the fd
        command = _drop_privileges_prefix(self.user) + [str(self.bindir / "postgres"), "-D", str(self.data_dir)]
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=self._log_file,
                                        stderr=subprocess.STDOUT, env=self._env(), start_new_session=True)
        deadline = time.monotonic() + self.start_timeout
        delay = 0.02
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code = self.process.returncode
                self.process = None
                self._log_file.close()
                self._log_file = None
                raise PostgresError(f"PostgreSQL exited during start-up (exit {code}); server log:\n"
                                    f"{self.log_tail()}")
            try:
                with self.connect(connect_timeout=2):
                    return
            except Exception as error:  # psycopg.OperationalError: not yet listening, starting up
                last_error = error
            time.sleep(delay)
            delay = min(delay * 1.5, 0.25)
        self.stop()
        raise PostgresError(f"PostgreSQL did not accept connections on {self.host}:{self.port} within "
                            f"{self.start_timeout:.0f} s ({last_error}); server log:\n{self.log_tail()}")

    def _port_clash(self) -> bool:
        tail = self.log_tail(20)
        return "could not bind" in tail or "Address already in use" in tail or "could not create any TCP" in tail

    def _postmaster_pid(self) -> int | None:
        try:
            return int((self.data_dir / "postmaster.pid").read_text().split("\n", 1)[0])
        except (OSError, ValueError, TypeError):
            return None

    @staticmethod
    def _signal(pid: int, sig: int) -> None:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass

    def _wait_children_gone(self, timeout: float) -> None:
        # The postmaster waits for its children before it exits; only a SIGKILL leaves orphans,
        # and those exit on noticing the postmaster is gone.
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and _processes_under(self.data_dir):
            time.sleep(0.05)


def _children_of(pid: int) -> set[int]:
    found = set()
    for stat_file in glob.glob("/proc/[0-9]*/stat"):
        try:
            fields = Path(stat_file).read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat_file.split("/")[2]))
    return found


def _processes_under(data_dir: Path) -> set[int]:
    """Postmasters running on ``data_dir`` (their command line names it)."""
    found = set()
    needle = str(data_dir).encode()
    for cmdline in glob.glob("/proc/[0-9]*/cmdline"):
        try:
            if needle in Path(cmdline).read_bytes():
                found.add(int(cmdline.split("/")[2]))
        except OSError:
            continue
    return found


# ---------------------------------------------------------------------------------------------
# pytest


@pytest.fixture(scope="session")
def postgres():
    """One throwaway PostgreSQL server per pytest process (each xdist worker has its own).
    Ask it for a database of the test's own: ``postgres.fresh_database("name")``."""
    why = postgres_available()
    if why:
        pytest.skip(why)
    server = PostgresServer()
    try:
        server.start()
        yield server
    finally:
        server.close()
