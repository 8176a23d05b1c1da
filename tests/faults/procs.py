"""Real processes for the fault and worker tests: a web server and a Celery worker started against the test
database the test itself uses (SQLite file or PostgreSQL), so a test can kill them with SIGKILL and start
them again. Each runs in its own process group; only that group is ever signalled."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def port_open(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=1).close()
        return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_env(**extra) -> dict:
    """The environment of a child process that must use this test's database (and nothing of the developer's)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "DJANGO_SETTINGS_MODULE": "zhifa.settings", **extra}
    s = connection.settings_dict
    if connection.vendor == "postgresql":
        env["DATABASE_URL"] = f"postgres://{s['USER'] or 'postgres'}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    else:
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = str(s["NAME"])
        env["SQLITE_BUSY_TIMEOUT"] = str(s["OPTIONS"].get("timeout", 20))  # the test's (zhifa.testing), under load
    return env


class Proc:
    """A child process in its own session (process group), its output in ``log``."""

    def __init__(self, args: list[str], env: dict, log: Path):
        self.args, self.env, self.log = args, env, log
        self.proc: subprocess.Popen | None = None
        self.kills = 0

    def start(self) -> Proc:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(self.args, env=self.env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        return self

    def kill(self) -> None:
        """SIGKILL the whole group (a gunicorn master and its workers, a worker and its children)."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)
            self.kills += 1

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=30)

    def tail(self, n: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-n:] if self.log.exists() else ""


def web_server(tmp_path: Path, port: int, **extra_env) -> Proc:
    """gunicorn on 127.0.0.1:``port`` with two sync workers (as deployed, docs/deployment.md). ``--preload``: the
    master loads the apps once and forks the workers (a start, and every restart after a kill, costs one Django
    start-up, not one per worker); no connection is opened before the fork, each worker opens its own."""
    args = [sys.executable, "-m", "gunicorn", "zhifa.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "2",
            "--timeout", "120", "--graceful-timeout", "5", "--preload"]
    return Proc(args, database_env(**extra_env), tmp_path / "web.log")


def wait_until_closed(port: int, timeout: float = 30) -> None:
    """After a kill: the group's last members (gunicorn workers hold the listening socket too) are gone."""
    deadline = time.monotonic() + timeout
    while port_open("127.0.0.1", port):
        if time.monotonic() > deadline:
            raise RuntimeError(f"port {port} still open after the kill")
        time.sleep(0.05)


def wait_until_serving(server: Proc, port: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_open("127.0.0.1", port):
            return
        if server.proc and server.proc.poll() is not None:
            raise RuntimeError("web server exited:\n" + server.tail())
        time.sleep(0.2)
    raise RuntimeError("web server did not start:\n" + server.tail())


def celery_worker(tmp_path: Path, broker: str, queue: str | None = None, *, concurrency: int = 1, **extra_env) -> tuple[Proc, str]:
    """A Celery worker consuming a queue of its own on ``broker`` (prefork, so a SIGKILL also takes the child)."""
    queue = queue or f"zhifa-test-{uuid.uuid4().hex[:8]}"
    env = database_env(CELERY_BROKER_URL=broker, CELERY_RESULT_BACKEND=extra_env.pop("backend", broker),
                       CELERY_TASK_ALWAYS_EAGER="0", **extra_env)
    args = [sys.executable, "-m", "celery", "-A", "zhifa", "worker", f"--concurrency={concurrency}", "-Q", queue,
            "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"{queue}@%h"]
    return Proc(args, env, tmp_path / f"worker-{queue}.log"), queue


def _json(raw: bytes):
    try:
        return json.loads(raw or b"null")
    except ValueError:
        return {"raw": raw[:2000].decode(errors="replace")}  # an error page: shown in the assertion


class Server:
    """The web server under test: started, killed and restarted by the test."""

    def __init__(self, tmp_path, **extra_env):
        self.port = free_port()
        self.proc = web_server(tmp_path, self.port, **extra_env)
        self.base = f"http://127.0.0.1:{self.port}"
        self.errors = Counter()  # connection failures seen by clients, by kind (printed with the outcome)

    def start(self):
        self.proc.start()
        wait_until_serving(self.proc, self.port)

    def restart(self):
        self.proc.kill()
        wait_until_closed(self.port)
        self.start()

    def call(self, token: str, path: str, body: dict | None = None, timeout: float = 120) -> tuple[int | None, dict | None]:
        """POST (or GET without a body) to the API as a token's user; (None, None) when the connection died."""
        data = json.dumps(body).encode() if body is not None else None
        return self.send(path, data, {"Authorization": f"Bearer {token}"}, timeout=timeout)

    def send(self, path: str, data: bytes | None, headers: dict, timeout: float = 120) -> tuple[int | None, dict | None]:
        """POST raw bytes (GET without); the answer's status and JSON, or (None, None) when the connection died."""
        req = urllib.request.Request(self.base + path, data=data, method="POST" if data is not None else "GET",
                                     headers={"Content-Type": "application/json", **headers})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return resp.status, _json(resp.read())
        except urllib.error.HTTPError as exc:
            return exc.code, _json(exc.read())
        except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
            self.errors[repr(getattr(exc, "reason", exc))[:80]] += 1
            return None, None
