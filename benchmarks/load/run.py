"""Run a realistic mix of officer traffic against a running zhifa and report throughput and latency per endpoint.

    .venv/bin/python benchmarks/load/run.py --start-server            # gunicorn on the load database, 50 clients, 10 min
    .venv/bin/python benchmarks/load/run.py --base-url http://127.0.0.1:8000 --duration 60

The accounts (and the database URL) come from ``var/load-users.json`` written by ``generate.py``. Each simulated
officer signs in once (session cookie for the pages, the account's bearer token for the API) and then, in a loop
without think time, does what an officer does: case lists with filters (state, unit, registration dates, next
page), searches by case number, party and plate, case pages, the API list and detail, the dashboard, the at-risk
list, and real state changes through the API (closed → archived; a new lead registered and opened by the head).
An officer pauses ``--think`` seconds on average between two requests (2 s; 0 runs them back to back, which
measures saturation: with 50 clients and no pause, latency is 50 / throughput whatever the code does).

Prints requests per second, p50/p95/p99 and errors per endpoint. Exits 1 when any request failed (a 5xx, a
transport error or an unexpected status) or when the p95 of an officer page (case list with its variants, case page,
dashboard, at-risk list) is at or above ``--p95-ms``.
"""

import argparse
import http.client
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[2]
# The officer pages the p95 target applies to (the case list with its search, filter and next-page variants).
TARGETS = ("ui.case_list", "ui.case_page", "ui.dashboard", "ui.at_risk")
STATUSES = ["lead", "opened", "investigated", "notified", "decided", "execution", "executed", "closed", "archived"]

# endpoint → weight of the mix (per request drawn).
MIX = {
    "ui.case_list": 20, "ui.case_list.filtered": 10, "ui.case_list.next_page": 5, "ui.case_search": 8, "ui.case_page": 25,
    "api.case_list": 8, "api.case_detail": 8, "ui.dashboard": 5, "ui.at_risk": 2, "api.archive": 3, "api.lead_open": 1,
}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--base-url", default="http://127.0.0.1:8000")
    p.add_argument("--users-file", default=str(ROOT / "var" / "load-users.json"))
    p.add_argument("--clients", type=int, default=50)
    p.add_argument("--duration", type=float, default=600, help="seconds of measured load (default 600)")
    p.add_argument("--warmup", type=float, default=20, help="seconds of unmeasured load first")
    p.add_argument("--think", type=float, default=2.0,
                   help="mean pause of an officer between two requests, seconds (uniform 0.5–1.5×; 0: back-to-back saturation)")
    p.add_argument("--p95-ms", type=float, default=150.0, help="target p95 of every officer page")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--start-server", action="store_true", help="start gunicorn on the load database for the run")
    p.add_argument("--workers", type=int, default=4, help="gunicorn workers (with --start-server)")
    p.add_argument("--threads", type=int, default=2, help="gunicorn threads per worker (with --start-server)")
    p.add_argument("--with-worker", action="store_true",
                   help="as deployed (docs/deployment.md): Redis for the cache and the broker, and one Celery worker with beat "
                        "at nice 5 beside gunicorn (papers, the dashboard's figures); without it, the embedded default")
    p.add_argument("--redis", default="redis://127.0.0.1:6379", help="Redis server (with --with-worker)")
    p.add_argument("--json", help="also write the figures to this file")
    p.add_argument("--trace", help="write every measured request (start s, endpoint, ms, error) to this CSV "
                                   "file; with --start-server, gunicorn's access log with its own time per "
                                   "request goes beside it (<file>.access)")
    return p.parse_args(argv)


class Failure(Exception):
    pass


class Client:
    """One keep-alive HTTP connection with its cookies (not thread-safe: one per simulated officer)."""

    def __init__(self, base_url: str):
        u = urlsplit(base_url)
        self.host, self.port = u.hostname, u.port or 80
        self.cookies: dict[str, str] = {}
        self.conn = None

    def request(self, method: str, path: str, *, body: bytes | None = None, headers: dict | None = None) -> tuple[int, bytes, dict]:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                resp = self.conn.getresponse()
                data = resp.read()
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt == 2 or method != "GET":
                    raise
                continue
            for value in resp.headers.get_all("Set-Cookie") or []:
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            return resp.status, data, resp.headers
        raise Failure("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


class Officer:
    """A signed-in account: the session for pages, the bearer token for the API, and what it has seen so far."""

    def __init__(self, account: dict, base_url: str, rng: random.Random):
        self.account, self.rng = account, rng
        self.http = Client(base_url)
        # This officer's thread acting with a peer's token (lead_and_open): a connection of its own, never the peer's,
        # which the peer's thread is using at the same moment.
        self.side = Client(base_url)
        self.auth = {"Authorization": f"Bearer {account['token']}"}
        self.case_ids: list[int] = []
        self.closed_ids: list[int] = []
        self.numbers: list[str] = []
        self.parties: list[str] = []
        self.plates: list[str] = []
        self.units: list[str] = []
        self.next_page = ""
        self.lock = threading.Lock()

    @property
    def is_head(self) -> bool:
        return "head" in self.account["roles"]

    def login(self) -> None:
        status, body, _ = self.http.request("GET", "/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if status != 200 or token is None:
            raise Failure(f"login page: {status}")
        form = urlencode({"username": self.account["username"], "password": self.account["password"],
                          "csrfmiddlewaretoken": token.group(1).decode()}).encode()
        status, _, _ = self.http.request("POST", "/login/", body=form, headers={"Content-Type": "application/x-www-form-urlencoded"})
        if status != 302 or "sessionid" not in self.http.cookies:
            raise Failure(f"login of {self.account['username']} refused ({status})")

    def api(self, method: str, path: str, payload=None, *, via: Client | None = None) -> tuple[int, object]:
        """A call with this account's token, on this officer's connection or on ``via`` (another thread's own)."""
        body = json.dumps(payload).encode() if payload is not None else None
        headers = {**self.auth, **({"Content-Type": "application/json"} if body else {})}
        status, data, _ = (via or self.http).request(method, path, body=body, headers=headers)
        return status, (json.loads(data) if data[:1] in (b"{", b"[") else data)

    def seed(self) -> None:
        """What an officer has in front of them before the run: recent cases and closed ones to archive."""
        for status, back in (("", 30_000), ("closed", 150_000), ("opened", 150_000)):
            code, page = self.api("GET", "/api/v1/cases/?" + urlencode({"status": status, "limit": 200, "after": self._recent_after(back)}))
            if code != 200:
                raise Failure(f"seeding list: {code}")
            items = page["items"]
            self.case_ids += [c["id"] for c in items]
            self.numbers += [c["number"] for c in items]
            self.parties += [c["party_name"] for c in items]
            if status == "closed" and ("officer" in self.account["roles"] or self.is_head):
                self.closed_ids = [c["id"] for c in items]
        status, body, _ = self.http.request("GET", "/cases/")
        self.plates = sorted(set(re.findall(r'<span class="muted">(豫[A-Z]·\w+)</span>', body.decode())))
        self.units = sorted(set(re.findall(r'<option value="(\d+)"', body.decode().split('name="unit"', 1)[-1].split("</select>", 1)[0])))
        self.rng.shuffle(self.closed_ids)

    def _recent_after(self, back: int = 30_000) -> int:
        # The API pages oldest first: start from a recent id (from the newest case on the list page) so that the
        # officer works on this year's cases, as in real life.
        if not hasattr(self, "_newest"):
            _, body, _ = self.http.request("GET", "/cases/")
            ids = [int(x) for x in re.findall(r'href="/cases/(\d+)/"', body.decode())]
            self._newest = max(ids) if ids else 0
        return max(0, self._newest - back)

    # -- the mix ---------------------------------------------------------------------------------------------
    def do(self, endpoint: str) -> tuple[int, set]:
        """Run one request of ``endpoint``; return its status and the statuses that count as success."""
        rng = self.rng
        ok = {200}
        if endpoint == "ui.case_list":
            status, body, _ = self.http.request("GET", "/cases/")
            self._remember(body)
        elif endpoint == "ui.case_list.filtered":
            q = {"status": rng.choice(STATUSES)}
            if self.units and rng.random() < 0.5:
                q["unit"] = rng.choice(self.units)
            if rng.random() < 0.5:
                start = date.today() - timedelta(days=rng.randint(30, 5 * 365))
                q["from"], q["to"] = start.isoformat(), (start + timedelta(days=rng.choice([7, 30, 90]))).isoformat()
            status, body, _ = self.http.request("GET", "/cases/?" + urlencode(q))
        elif endpoint == "ui.case_list.next_page":
            path = self.next_page or "/cases/"
            status, body, _ = self.http.request("GET", path)
            cursor = re.search(rb'href="\?([^"]*before=\d+)"', body)
            self.next_page = "/cases/?" + cursor.group(1).decode().replace("&amp;", "&") if cursor and rng.random() < 0.8 else ""
        elif endpoint == "ui.case_search":
            kind = rng.choice(["number", "party", "plate"])
            pool = {"number": self.numbers, "party": self.parties, "plate": self.plates}[kind] or self.numbers
            term = rng.choice(pool)
            if kind == "plate" and rng.random() < 0.5:
                term = term.split("·")[-1]  # the tail of a plate, as typed
            status, body, _ = self.http.request("GET", "/cases/?" + urlencode({"q": term}))
        elif endpoint == "ui.case_page":
            status, _, _ = self.http.request("GET", f"/cases/{rng.choice(self.case_ids)}/")
        elif endpoint == "api.case_list":
            q = {"limit": 50, "after": self._recent_after()}
            if rng.random() < 0.6:
                q["status"] = rng.choice(STATUSES)
            status, _ = self.api("GET", "/api/v1/cases/?" + urlencode(q))
        elif endpoint == "api.case_detail":
            status, _ = self.api("GET", f"/api/v1/cases/{rng.choice(self.case_ids)}")
        elif endpoint == "ui.dashboard":
            status, _, _ = self.http.request("GET", "/")
        elif endpoint == "ui.at_risk":
            status, _, _ = self.http.request("GET", "/cases/at-risk/")
        elif endpoint == "api.archive":
            with self.lock:
                case_id = self.closed_ids.pop() if self.closed_ids else None
            if case_id is None:
                return -1, ok
            status, _ = self.api("POST", f"/api/v1/cases/{case_id}/archive")
        elif endpoint == "api.lead_open":
            status = self.lead_and_open()
        else:
            raise ValueError(endpoint)
        return status, ok

    def _remember(self, body: bytes) -> None:
        ids = [int(x) for x in re.findall(rb'href="/cases/(\d+)/"', body)]
        if ids:
            self.case_ids = (ids + self.case_ids)[:2000]

    def lead_and_open(self) -> int:
        """A lead registered by an officer (its party and vehicle from a recent case), then opened by the head."""
        try:
            return self._lead_and_open()
        finally:
            # The side connection is used a few times a minute at most: closed after each use, so a POST is never
            # sent on a connection the server has already timed out (keep-alive 30 s).
            self.side.close()

    def _lead_and_open(self) -> int:
        source = self.peer if self.is_head else self
        head = self if self.is_head else self.peer
        if source is None or head is None or not source.case_ids:
            return -1
        # The peer's token on this thread's side connection (the peer's own connection belongs to its thread).
        src = None if source is self else self.side
        hd = None if head is self else self.side
        status, case = source.api("GET", f"/api/v1/cases/{self.rng.choice(list(source.case_ids))}", via=src)
        if status != 200:
            return status
        status, officers = source.api("GET", "/api/v1/cases/officers/available", via=src)
        ids = [o["id"] for o in officers][:2] if status == 200 else []
        occurred = (datetime.now().astimezone() - timedelta(hours=self.rng.randint(1, 48))).isoformat()
        status, lead = source.api("POST", "/api/v1/cases/leads", via=src, payload={
            "source": "inspection", "party_id": case["party_id"], "vehicle_id": case["vehicle_id"], "occurred_at": occurred,
            "place": "负载测试检查点", "facts": "负载测试：检查发现的违法行为", "violation_item_code": case["violation_code"] or None,
            "officer_ids": ids})
        if status != 201:
            return status
        status, _ = head.api("POST", f"/api/v1/cases/{lead['id']}/open", {"officer_ids": ids}, via=hd)
        return status


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.samples: dict[str, list[str]] = defaultdict(list)
        self.trace: list[tuple[float, str, float, str]] = []

    def add(self, endpoint: str, seconds: float, error: str | None, started: float = 0.0) -> None:
        with self.lock:
            self.times[endpoint].append(seconds)
            self.trace.append((started, endpoint, seconds, error or ""))
            if error:
                self.errors[endpoint] += 1
                if len(self.samples[endpoint]) < 3:
                    self.samples[endpoint].append(error)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def server_env(args, database_url: str) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "0", "DB_CONN_MAX_AGE": "600", "PYTHONPATH": str(ROOT / "src")}
    if args.with_worker:
        env.update(CACHE_URL=f"{args.redis}/7", CELERY_BROKER_URL=f"{args.redis}/8", CELERY_RESULT_BACKEND=f"{args.redis}/9",
                   CELERY_TASK_ALWAYS_EAGER="0")
    return env


def start_worker(args, database_url: str):
    """One Celery worker with beat, as the deployment's zhifa-worker@default and zhifa-beat (Nice=5)."""
    log = open(ROOT / "var" / "load-worker.log", "w")  # noqa: SIM115 — closed with the worker
    schedule = ROOT / "var" / "load-celerybeat-schedule"
    schedule.unlink(missing_ok=True)
    return subprocess.Popen(["nice", "-n", "5", str(Path(sys.executable).parent / "celery"), "-A", "zhifa", "worker", "-B",
                             "-Q", "default", "--concurrency", "1", "--loglevel", "WARNING", "-s", str(schedule)],
                            cwd=ROOT, env=server_env(args, database_url), stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)


def require_migrated(database_url: str) -> None:
    """Refuse a run on a database with migrations not applied: every page that reads a new column would answer 500
    and the run's figures would be of the errors (two runs of 2026-12-05 were spoiled so)."""
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(ROOT / "src")}
    check = subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "--check"], cwd=ROOT, env=env,
                           capture_output=True, text=True)
    if check.returncode != 0:
        raise SystemExit(f"the load database has migrations not applied: run\n  DATABASE_URL={database_url} "
                         f"{sys.executable} manage.py migrate\n{check.stdout[-2000:]}{check.stderr[-2000:]}")


def access_log(args) -> str:
    if args.trace:
        return args.trace + ".access"
    return "-" if os.environ.get("LOAD_ACCESS_LOG") else "/dev/null"


def start_server(args, database_url: str):
    env = server_env(args, database_url)
    port = urlsplit(args.base_url).port or 8000
    log = open(ROOT / "var" / "load-gunicorn.log", "w")  # noqa: SIM115 — closed with the server
    proc = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "zhifa.wsgi:application", "-b", f"127.0.0.1:{port}",
                             "-w", str(args.workers), "--threads", str(args.threads), "--timeout", "120", "--keep-alive", "30",
                             "--access-logfile", access_log(args)] + (
                             ["--access-logformat", "%(t)s|%(m)s|%(U)s|%(s)s|%(D)s|%(p)s"]
                             if args.trace else []),
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    for _ in range(120):
        try:
            Client(args.base_url).request("GET", "/login/")
            return proc
        except OSError:
            time.sleep(0.5)
    proc.terminate()
    raise SystemExit("gunicorn did not start: see var/load-gunicorn.log")


STALL_MONITOR = """
import sys, time
tick, limit = 0.002, float(sys.argv[1])
while True:
    t = time.perf_counter()
    time.sleep(tick)
    late = time.perf_counter() - t - tick
    if late > limit:
        print(f"{time.time():.3f} {late * 1000:.1f}", flush=True)
"""


def start_stall_monitor(limit_ms: float = 20.0):
    """A process of its own that asks to wake every 2 ms and writes down each wake-up later than ``limit_ms``:
    the moments this machine (its host, or a CPU queue) gave a ready process no CPU. Costs ~1 % of a core."""
    # To a file, not a pipe read at the end: past the pipe's 64 KB the monitor would block and stop counting.
    out = tempfile.TemporaryFile("w+")  # noqa: SIM115 — read and closed by stop_stall_monitor
    proc = subprocess.Popen([sys.executable, "-c", STALL_MONITOR, str(limit_ms / 1000)], stdout=out,
                            text=True, start_new_session=True)
    proc.out = out
    return proc


def stop_stall_monitor(proc, since: float, until: float) -> list[tuple[float, float]]:
    """The stalls (wall time, ms) the monitor saw between ``since`` and ``until`` (``time.time()``)."""
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=30)
    proc.out.seek(0)
    out = proc.out.read()
    proc.out.close()
    stalls = []
    for line in out.splitlines():
        at, ms = line.split()
        if since <= float(at) <= until:
            stalls.append((float(at), float(ms)))
    return stalls


def cpu_probe(repeats: int = 7) -> str:
    """The CPU time one fixed loop takes, several times over: this machine's speed varies with its host (on an
    idle machine the same loop took 0.50–0.85 s between one second and the next, 2026-12-06), and a run is
    read with it."""
    times = []
    for _ in range(repeats):
        start = time.process_time()
        total = 0
        for i in range(2_000_000):
            total += i
        times.append((time.process_time() - start) * 1000)
    times.sort()
    return f"median {statistics.median(times):.0f} ms, {times[0]:.0f}–{times[-1]:.0f}"


def main(argv=None) -> int:
    args = parse_args(argv)
    print(f"CPU probe before (a fixed loop, lower is faster): {cpu_probe()}", flush=True)
    config = json.loads(Path(args.users_file).read_text())
    if args.start_server:
        require_migrated(config["database_url"])
    if args.start_server and args.with_worker:
        # Databases 7–9 of the Redis server (cache, broker, results), emptied first: nothing of an earlier run is read.
        import redis

        for db in (7, 8, 9):
            redis.Redis.from_url(f"{args.redis}/{db}").flushdb()
    server = start_server(args, config["database_url"]) if args.start_server else None
    worker = start_worker(args, config["database_url"]) if args.start_server and args.with_worker else None
    try:
        return run(args, config)
    finally:
        for proc in (server, worker):
            if proc is not None:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=60)


def run(args, config) -> int:
    rng = random.Random(args.seed)
    # Squad and station members see only their own node (no cases are registered there): the clients are the
    # brigades' officers, the counties' heads and reviewers, and the city's supervisor (the widest view).
    accounts = sorted((a for a in config["accounts"] if a["organisation_path"].count("/") <= 5), key=lambda a: a["username"])
    rng.shuffle(accounts)
    # Spread the clients over the units: officers and heads of every county, and the city supervisor's wide view.
    chosen = accounts[: args.clients]
    officers = []
    started = time.monotonic()
    for i, account in enumerate(chosen):
        o = Officer(account, args.base_url, random.Random(args.seed * 1000 + i))
        o.login()
        o.seed()
        officers.append(o)
    claimed: set[int] = set()
    for o in officers:  # two officers of one brigade never archive the same case
        o.closed_ids = [i for i in o.closed_ids if i not in claimed]
        claimed.update(o.closed_ids)
    by_unit = defaultdict(list)
    for o in officers:
        by_unit[o.account["organisation_path"].split("/")[3] if o.account["organisation_path"].count("/") > 3 else "city"].append(o)
    for o in officers:  # the head of the same county registers/opens with an officer of it
        peers = [p for p in by_unit[o.account["organisation_path"].split("/")[3] if o.account["organisation_path"].count("/") > 3 else "city"]
                 if p is not o and p.is_head != o.is_head]
        o.peer = peers[0] if peers else None
    print(f"{len(officers)} officers signed in and seeded in {time.monotonic() - started:.0f}s "
          f"({len({o.account['organisation'] for o in officers})} units); think time {args.think:g}s; "
          f"warm-up {args.warmup:.0f}s, then {args.duration:.0f}s measured")

    stats = Stats()
    endpoints, weights = list(MIX), list(MIX.values())
    measuring = threading.Event()
    stop = threading.Event()

    def worker(o: Officer):
        while not stop.is_set():
            endpoint = o.rng.choices(endpoints, weights)[0]
            wall = time.time()
            t0 = time.perf_counter()
            error = None
            try:
                status, ok = o.do(endpoint)
                if status == -1:
                    continue  # nothing to do for this officer (no closed case left, no peer)
                if status not in ok:
                    error = f"HTTP {status}"
            except Exception as exc:  # noqa: BLE001 — every failure is counted and shown
                error = f"{type(exc).__name__}: {exc}"
            if measuring.is_set():
                stats.add(endpoint, time.perf_counter() - t0, error, wall)
            if args.think:
                stop.wait(o.rng.uniform(0.5, 1.5) * args.think)

    threads = [threading.Thread(target=worker, args=(o,), daemon=True) for o in officers]
    for t in threads:
        t.start()
    time.sleep(args.warmup)
    monitor = start_stall_monitor()
    measuring.set()
    t_start, wall_start = time.monotonic(), time.time()
    time.sleep(args.duration)
    stop.set()
    measuring.clear()
    elapsed = time.monotonic() - t_start
    stats.stalls = stop_stall_monitor(monitor, wall_start, wall_start + elapsed)
    for t in threads:
        t.join(timeout=70)
    if args.trace:
        with open(args.trace, "w") as f:
            f.write("started,endpoint,ms,error\n")
            for started, endpoint, seconds, error in sorted(stats.trace):
                f.write(f"{started:.3f},{endpoint},{seconds * 1000:.1f},{error.replace(',', ';')}\n")
    return report(args, stats, elapsed)


def report(args, stats: Stats, elapsed: float) -> int:
    rows, total, errors = [], 0, 0
    print(f"\n{'endpoint':<24}{'requests':>9}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}{'errors':>8}")
    for endpoint in MIX:
        t = stats.times.get(endpoint, [])
        row = {"endpoint": endpoint, "requests": len(t), "rps": len(t) / elapsed, "p50": percentile(t, 50) * 1000,
               "p95": percentile(t, 95) * 1000, "p99": percentile(t, 99) * 1000, "max": max(t, default=0) * 1000,
               "errors": stats.errors.get(endpoint, 0)}
        rows.append(row)
        total += len(t)
        errors += row["errors"]
        print(f"{endpoint:<24}{row['requests']:>9}{row['rps']:>8.1f}{row['p50']:>9.0f}{row['p95']:>9.0f}{row['p99']:>9.0f}"
              f"{row['max']:>9.0f}{row['errors']:>8}")
    print(f"{'all':<24}{total:>9}{total / elapsed:>8.1f}{'':>36}{errors:>8}")
    for endpoint, samples in stats.samples.items():
        print(f"  {endpoint}: {'; '.join(samples)}")
    stalls = getattr(stats, "stalls", [])
    stall_ms = [ms for _, ms in stalls]
    print(f"stalls (a process ready to run got no CPU for more than 20 ms): {len(stalls)} in the measured "
          f"window, {sum(stall_ms):.0f} ms in all, longest {max(stall_ms, default=0):.0f} ms")
    failed = []
    if errors:
        failed.append(f"{errors} failed requests")
    for target in TARGETS:
        t = [x for e, v in stats.times.items() if e == target or e.startswith(target + ".") or (target == "ui.case_list" and e == "ui.case_search") for x in v]
        p95 = percentile(t, 95) * 1000
        print(f"target {target} (with its variants): p95 {p95:.0f} ms over {len(t)} requests (target < {args.p95_ms:.0f} ms)")
        if not t or p95 >= args.p95_ms:
            failed.append(f"{target} p95 {p95:.0f} ms")
    if args.json:
        Path(args.json).write_text(json.dumps({"elapsed": elapsed, "clients": args.clients, "with_worker": args.with_worker,
                                               "load_at_end": os.getloadavg(), "rows": rows, "failed": failed,
                                               "stalls": {"count": len(stalls), "total_ms": sum(stall_ms),
                                                          "longest_ms": max(stall_ms, default=0)}}, indent=1))
    print(f"mode: {'as deployed (Redis, Celery worker with beat at nice 5)' if args.with_worker else 'embedded default'}; "
          f"load average at the end {os.getloadavg()[0]:.1f}; CPU probe after: {cpu_probe()}")
    print("FAILED: " + "; ".join(failed) if failed else "OK: no errors, targets met")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
