"""A PostgreSQL server of a test's own, which it may stop and start again (a restart under running processes).

Started the way `.ci/pg` starts one: a temporary data dir, 127.0.0.1 on a free port, trust auth, no fsync;
as root, the server runs as the `postgres` user. Its address lives in its own configuration
(`postgresql.auto.conf`), so a plain `pg_ctl start` brings it back on the same port.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest


def _bindir() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)
    for bindir in reversed(found):
        if all((bindir / exe).exists() for exe in ("initdb", "pg_ctl", "postgres")):
            return bindir
    pg_ctl = shutil.which("pg_ctl")
    return Path(pg_ctl).resolve().parent if pg_ctl else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class OwnServer:
    bindir: Path
    folder: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    @classmethod
    def start(cls, near: Path) -> "OwnServer":
        """A new server; skips the test when no server binaries are installed."""
        bindir = _bindir()
        if bindir is None:
            pytest.skip("no PostgreSQL server binaries to start a server of this test's own")
        # Not under pytest's tmp_path: as root the server runs as `postgres`, who must own its folder.
        folder = Path(tempfile.mkdtemp(prefix="tui-profiles-pg-own-"))
        os.chmod(folder, 0o755)
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres", "postgres")
        server = cls(bindir, folder, _free_port())
        server._run("initdb", "-D", str(folder / "data"), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync")
        conf = folder / "data" / "postgresql.auto.conf"
        with open(conf, "a") as fh:
            fh.write(f"listen_addresses = '127.0.0.1'\nport = {server.port}\nunix_socket_directories = '{folder}'\n"
                     "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n")  # fmt: skip
        server.start_again()
        return server

    def _run(self, exe: str, *args: str) -> None:
        command = [str(self.bindir / exe), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, cwd=self.folder, check=True, capture_output=True, timeout=120)

    def start_again(self) -> None:
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-l", str(self.folder / "server.log"), "-w", "-t", "60", "start")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)

    def stop(self) -> None:
        """A fast shutdown: every connection is cut, as in a restart for maintenance."""
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "fast", "-w", "-t", "60", "stop")

    def remove(self) -> None:
        if (self.folder / "data" / "postmaster.pid").exists():
            try:
                self.stop()
            except subprocess.CalledProcessError:
                pass
        shutil.rmtree(self.folder, ignore_errors=True)
