"""A PostgreSQL server of the test's own, so a test can stop and restart it at will.

The shared server in TEST_DATABASE_URL belongs to every test (and every engineer) on the machine;
stopping it would break them. This one lives in a temporary directory, listens on a free port of
127.0.0.1 (trust authentication, nothing else can reach it) and is removed at the end.

PostgreSQL refuses to run as root: as root, the server and its tools run as the `postgres` user.
"""

from __future__ import annotations

import asyncio
import contextlib
import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from tests.support.bot_process import free_port


def find_bindir() -> Path | None:
    """Where initdb, pg_ctl and postgres are: $PG_BINDIR, Debian's layout, or PATH."""
    candidates = [os.environ.get("PG_BINDIR", "")]
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(str(Path(on_path).parent))
    for folder in candidates:
        if folder and all((Path(folder) / tool).is_file() for tool in ("initdb", "pg_ctl", "postgres")):
            return Path(folder)
    return None


class PrivatePostgres:
    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.port = free_port()
        self.as_postgres_user = os.geteuid() == 0
        # Not under pytest's tmp_path: as root that folder is closed to the postgres user.
        self.root = Path(tempfile.mkdtemp(prefix="bot-pg-"))
        self.data = self.root / "data"
        self.logfile = self.root / "server.log"
        self.frozen = False
        if self.as_postgres_user:
            account = pwd.getpwnam("postgres")
            os.chown(self.root, account.pw_uid, account.pw_gid)
        os.chmod(self.root, 0o700)

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def _command(self, tool: str, *args: str) -> list[str]:
        command = [str(self.bindir / tool), *args]
        if self.as_postgres_user:
            return ["runuser", "-u", "postgres", "--", *command]
        return command

    async def _run(self, tool: str, *args: str, timeout: float = 60.0) -> None:
        process = await asyncio.create_subprocess_exec(
            *self._command(tool, *args),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            cwd=self.root,
        )
        try:
            output, _ = await asyncio.wait_for(process.communicate(), timeout)
        except TimeoutError:
            process.kill()
            await process.wait()
            raise AssertionError(
                f"{tool} {' '.join(args)} took over {timeout}s:\n{self.server_log()}"
            ) from None
        if process.returncode != 0:
            raise AssertionError(
                f"{tool} {' '.join(args)} exited with {process.returncode}:\n"
                f"{output.decode(errors='replace')}\n{self.server_log()}"
            )

    def server_log(self) -> str:
        with contextlib.suppress(OSError):
            return self.logfile.read_text(errors="replace")[-4000:]
        return ""

    async def init(self) -> PrivatePostgres:
        await self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"
        )
        return self

    async def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        await self._run("pg_ctl", "-D", str(self.data), "-l", str(self.logfile), "-o", options, "-w", "start")

    async def stop(self, mode: str = "fast") -> None:
        """`fast`: what a restart does; open sessions are cut, their transactions rolled back."""
        await self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    @property
    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def _server_pids(self) -> list[int]:
        """The postmaster of this server and its children (backends, background workers)."""
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        pids = [postmaster]
        for stat in glob.glob("/proc/[0-9]*/stat"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                # The ppid is the second field after the parenthesised command name.
                if int(Path(stat).read_text().rsplit(")", 1)[1].split()[1]) == postmaster:
                    pids.append(int(Path(stat).parent.name))
        return pids

    def freeze(self) -> None:
        """Make the server hang (SIGSTOP) as a network partition would: connections are accepted by
        the kernel and then nothing answers, neither new connections nor open ones."""
        for pid in self._server_pids():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGSTOP)
        self.frozen = True

    def thaw(self) -> None:
        for pid in self._server_pids():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)
        self.frozen = False

    async def remove(self) -> None:
        if self.frozen:
            self.thaw()
        if self.running:
            with contextlib.suppress(AssertionError):
                await self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)
