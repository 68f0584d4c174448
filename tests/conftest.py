"""Shared fixtures: a fresh data folder and database per test, the CLI, a running server.

The backend follows the pytest process: SQLite by default; with MAILROOM_DATABASE_URL set
to a PostgreSQL server (scripts/test does this on its second pass), every test that
starts a subprocess gets a database of its own on that server.
"""

import os
import socket
import subprocess
import sys
import time
import uuid
from contextlib import closing
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("MAILROOM_CORPUS", REPO.parent / "shared" / "corpus"))
IN_CI = os.environ.get("CI") == "true"
MAILROOM = [sys.executable, "-m", "mailroom.cli.main"]


def need(condition: bool, reason: str) -> None:
    """Skip when a real server or data set is missing; under CI that is a failure."""
    if not condition:
        if IN_CI:
            pytest.fail(f"required under CI: {reason}")
        pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _fresh_database_url() -> str | None:
    """A new empty PostgreSQL database when the run is on PostgreSQL, else None (SQLite)."""
    url = os.environ.get("MAILROOM_DATABASE_URL", "")
    if not url.startswith("postgres"):
        return None
    import psycopg

    name = f"mr_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + "/" + name


class Mailroom:
    """A data folder and database of its own, driven through the real `mailroom` command."""

    def __init__(self, home: Path):
        self.home = home
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("MAILROOM_")}
        self.env["MAILROOM_HOME"] = str(home)
        self.env["PYTHONUNBUFFERED"] = "1"
        if url := _fresh_database_url():
            self.env["MAILROOM_DATABASE_URL"] = url
        self.processes: list[subprocess.Popen] = []

    def sql(self, query: str) -> list[tuple]:
        """Read the database directly: for polling faster than a CLI call allows."""
        if url := self.env.get("MAILROOM_DATABASE_URL"):
            import psycopg

            with psycopg.connect(url) as conn:
                return conn.execute(query).fetchall()
        import sqlite3

        with closing(sqlite3.connect(self.home / "mailroom.sqlite3", timeout=30)) as conn:
            return conn.execute(query).fetchall()

    def __call__(self, *args: str, input: bytes | None = None, timeout: float = 120):
        """Run `mailroom ARGS...` to the end; returns the CompletedProcess (text output)."""
        proc = subprocess.run(
            [*MAILROOM, *args], env=self.env, input=input, capture_output=True, timeout=timeout
        )
        proc.stdout, proc.stderr = proc.stdout.decode(), proc.stderr.decode()
        return proc

    def ok(self, *args: str) -> str:
        proc = self(*args)
        assert proc.returncode == 0, f"mailroom {' '.join(args)}: {proc.stderr}"
        return proc.stdout

    def start(self, *args: str, ready: str, timeout: float = 30) -> subprocess.Popen:
        """Start a long-running `mailroom ARGS...` and wait for `ready` in its output."""
        path = self.home / f"proc-{len(self.processes)}.log"
        with path.open("wb") as log:
            proc = subprocess.Popen([*MAILROOM, *args], env=self.env, stdout=log, stderr=log)
        self.processes.append(proc)
        end = time.monotonic() + timeout
        while ready.encode() not in path.read_bytes():
            if proc.poll() is not None or time.monotonic() > end:
                output = path.read_text(errors="replace")
                raise AssertionError(f"mailroom {' '.join(args)} did not start:\n{output}")
            time.sleep(0.05)
        return proc

    def stop_all(self) -> None:
        for proc in self.processes:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


def initialised(home: Path) -> Mailroom:
    """A Mailroom with a new data folder and database, migrated."""
    mr = Mailroom(home)
    mr.home.mkdir()
    mr.ok("init")
    return mr


def with_acme(home: Path) -> Mailroom:
    """An initialised Mailroom with tenant acme and its channel contact@acme.example."""
    mr = initialised(home)
    mr.ok("tenant", "add", "acme")
    mr.ok("channel", "add", "acme", "contact@acme.example")
    return mr


@pytest.fixture
def mailroom(tmp_path):
    """An initialised, empty Mailroom (its own data folder and database)."""
    mr = initialised(tmp_path / "home")
    yield mr
    mr.stop_all()


class Server:
    def __init__(self, mr: Mailroom, *extra: str):
        self.smtp_port, self.lmtp_port = free_port(), free_port()
        self.process = mr.start(
            "run",
            "--smtp", f"127.0.0.1:{self.smtp_port}",
            "--lmtp", f"127.0.0.1:{self.lmtp_port}",
            "--web", "off",
            *extra,
            ready="Mailroom is running",
        )


@pytest.fixture
def server(mailroom):
    """`mailroom run` on free loopback ports, with the demo tenant and channel."""
    return Server(mailroom)


DEMO_INBOUND = "demo-contact@in.mailroom.localhost"
