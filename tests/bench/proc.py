"""Running a measured child process (wall time, peak RSS) and making throwaway PostgreSQL databases."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
VENV_BIN = Path(PYTHON).parent


@dataclass
class Run:
    seconds: float
    max_rss_mb: float
    cpu_seconds: float
    returncode: int
    stdout: str
    stderr: str


# Linux keeps the high-water RSS of a process's image across exec (signal->maxrss): a command started
# straight from the benchmark, whose own RSS passes 200 MB as it runs, was measured at least that big
# (`/bin/true` from a 300 MB parent: 314 MB). So each command is forked by this small launcher, whose
# own image is a bare interpreter, and its peak read from the launcher's wait4.
_LAUNCHER = """
import os, sys
pid = os.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as fh:
    fh.write(repr(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status) % 256)
"""


def run_measured(cmd: list[str], *, env: dict[str, str] | None = None, timeout: float = 3600) -> Run:
    """Run `cmd` to its end; its own peak RSS comes from wait4's rusage (through `_LAUNCHER`), not from sampling."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile() as peak:
        began = time.perf_counter()
        proc = subprocess.Popen([PYTHON, "-c", _LAUNCHER, peak.name, *cmd], cwd=ROOT, stdout=out, stderr=err,
                                env={**os.environ, **(env or {})}, start_new_session=True)  # fmt: skip
        deadline = began + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                os.killpg(proc.pid, signal.SIGKILL)  # the launcher and the command
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.005)
        seconds = time.perf_counter() - began
        proc.returncode = os.waitstatus_to_exitcode(status)  # so Popen does not wait again
        out.seek(0)
        err.seek(0)
        measured = Path(peak.name).read_text().strip()
        max_rss_kb = int(measured) if measured else usage.ru_maxrss
        return Run(seconds, max_rss_kb / 1024, usage.ru_utime + usage.ru_stime, proc.returncode,
                   out.read().decode(errors="replace"), err.read().decode(errors="replace"))  # fmt: skip


def check(run: Run, what: str) -> Run:
    if run.returncode != 0:
        raise RuntimeError(f"{what} failed ({run.returncode}):\n{run.stderr[-3000:]}")
    return run


# -- PostgreSQL ------------------------------------------------------------------------
def pg_connect_kwargs(url: str) -> dict[str, object]:
    from sqlalchemy.engine import make_url

    u = make_url(url)
    params = {"host": u.host, "port": u.port, "user": u.username, "password": u.password, "dbname": u.database, **u.query}
    return {k: v for k, v in params.items() if v is not None}


def pg_url(url: str, database: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql+psycopg", database=database).render_as_string(hide_password=False)


class PgServer:
    """Databases made for this run on the server at `url`, all dropped by `drop_all`."""

    def __init__(self, url: str) -> None:
        import psycopg

        self.url = url
        self.admin = pg_connect_kwargs(url)
        self.made: list[str] = []
        with psycopg.connect(**self.admin, connect_timeout=10):
            pass

    def create(self, template: str | None = None) -> str:
        """A new database (a copy of `template` if given); its SQLAlchemy URL."""
        import psycopg
        from psycopg import sql

        name = f"tp_bench_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(**self.admin, autocommit=True) as conn:
            stmt = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
            if template:
                stmt += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
            conn.execute(stmt)
        self.made.append(name)
        return pg_url(self.url, name)

    def drop(self, name: str) -> None:
        import psycopg
        from psycopg import sql

        with psycopg.connect(**self.admin, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if name in self.made:
            self.made.remove(name)

    def drop_all(self) -> None:
        for name in list(self.made):
            self.drop(name)

    @staticmethod
    def name_of(url: str) -> str:
        from sqlalchemy.engine import make_url

        return str(make_url(url).database)
