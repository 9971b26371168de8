"""Load test of the cached whole-conference feed under gunicorn on loopback.

Builds the generated conference (`bench.app_data`), starts ``gunicorn 'conference:create_app()'``
on a free 127.0.0.1 port with DATABASE_URL/INSTANCE_PATH/SECRET_KEY pointing at it, warms the
cache, then loads ``/c/<slug>/calendar.ics`` for ``--duration`` seconds three times, side by
side: plain GETs (200 with the full body), GETs with ``Accept-Encoding: gzip`` (200, the
cached gzip copy) and GETs with ``If-None-Match`` (304), each ``--runs`` times (3; the
medians are reported, each run's req/s beside them). Uses ``wrk`` when
installed (``apt-get install wrk``), else a small keep-alive Python load generator (threads,
bounded in time). Prints requests/s, p50/p99 latency and the count of unexpected statuses,
then stops gunicorn and drops the database.

Usage::

    python bench/load_feeds.py                        # 1000 talks, SQLite, 2 gthread workers, 3 x 10 s each
    python bench/load_feeds.py --workers 4 --database-url postgresql://postgres@127.0.0.1/bench_load
    python bench/load_feeds.py --generator python     # without wrk
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.app_data import SECRET_KEY, SLUG, build_database, drop_database  # noqa: E402
from bench.harness import REPO_ROOT, fmt, machine_info, median, render_table, write_results  # noqa: E402

TARGET_RPS = 1000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(database_url: str, port: int, workers: int, worker_class: str, threads: int,
                   instance_path: str, keep_alive: int | None = None) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=database_url, INSTANCE_PATH=instance_path, SECRET_KEY=SECRET_KEY,
               PUBLIC_URL="http://conference.bench")
    command = [str(Path(sys.executable).with_name("gunicorn")), "--workers", str(workers),
               "--worker-class", worker_class, "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
               "--chdir", str(REPO_ROOT)]
    if worker_class == "gthread":
        command += ["--threads", str(threads)]
    if keep_alive is not None:
        command += ["--keep-alive", str(keep_alive)]
    command.append("conference:create_app()")
    return subprocess.Popen(command, env=env, start_new_session=True)


def server_cpu_seconds(master_pid: int) -> float:
    """User + system CPU of the gunicorn master and its workers, from /proc (Linux)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        pid, ppid = int(stat.parent.name), int(fields[1])
        if master_pid in (pid, ppid):
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def fetch(url: str, headers: dict[str, str] | None = None, timeout: float = 60) -> tuple[int, dict[str, str]]:
    """(status, headers) of one GET on loopback, body read and dropped."""
    host, port = url.split("//", 1)[1].split("/", 1)[0].split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        connection.request("GET", "/" + url.split("//", 1)[1].split("/", 1)[1], headers=headers or {})
        response = connection.getresponse()
        response.read()
        return response.status, dict(response.getheaders())
    finally:
        connection.close()


def wait_ready(url: str, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            fetch(url, timeout=5)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer {url} within {timeout} s")


def warm(url: str, workers: int) -> str:
    """Render once, then fetch enough times that every worker has the feed in its LRU; the ETag."""
    etag = ""
    for _ in range(workers * 8):
        status, headers = fetch(url)
        if status != 200:
            raise RuntimeError(f"GET {url}: {status}")
        etag = headers["ETag"]
    status, _headers = fetch(url, {"If-None-Match": etag})
    if status != 304:
        raise RuntimeError(f"If-None-Match with the current ETag gave {status}, not 304")
    return etag


def _seconds(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not match:
        return float("nan")
    value, unit = float(match.group(1)), match.group(2)
    return value * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[unit]


def run_wrk(url: str, duration: int, connections: int, threads: int, headers: dict[str, str],
            expect: int) -> dict[str, Any]:
    """wrk's own figures; no Lua ``response`` hook, which would copy every 1 MB body into Lua."""
    command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s", "--latency",
               "--timeout", "5s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command.append(url)
    output = subprocess.run(command, capture_output=True, text=True, timeout=duration + 30, check=True).stdout
    done = re.search(r"(\d+) requests in [\d.]+\w+, ([\d.]+)(B|KB|MB|GB) read", output)
    total = int(done.group(1)) if done else 0
    read = float(done.group(2)) * {"B": 1, "KB": 2**10, "MB": 2**20, "GB": 2**30}[done.group(3)] if done else 0.0
    # wrk counts only statuses >= 400 (and socket errors); the bytes read tell 200s from 304s.
    bad_status = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    percentiles = dict(re.findall(r"^\s+(\d+)%\s+(\S+)$", output, re.M))
    return {
        "requests": total,
        "rps": float(rps.group(1)) if rps else float("nan"),
        "p50": _seconds(percentiles.get("50", "")),
        "p99": _seconds(percentiles.get("99", "")),
        "unexpected": (int(bad_status.group(1)) if bad_status else 0) + socket_errors,
        "statuses": {expect: total - (int(bad_status.group(1)) if bad_status else 0)},
        "bytes_per_response": round(read / total) if total else 0,
        "raw": output,
    }


def run_python(url: str, duration: int, connections: int, headers: dict[str, str], expect: int) -> dict[str, Any]:
    """A bounded keep-alive load: ``connections`` threads, each with one HTTP/1.1 connection."""
    host, port = url.split("//", 1)[1].split("/", 1)[0].split(":")
    path = "/" + url.split("//", 1)[1].split("/", 1)[1]
    latencies: list[list[float]] = [[] for _ in range(connections)]
    statuses: list[dict[int, int]] = [{} for _ in range(connections)]
    errors = [0] * connections
    stop_at = time.perf_counter() + duration

    def client(index: int) -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=5)
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                errors[index] += 1
                connection.close()
                connection = http.client.HTTPConnection(host, int(port), timeout=5)
                continue
            latencies[index].append(time.perf_counter() - started)
            statuses[index][response.status] = statuses[index].get(response.status, 0) + 1
        connection.close()

    started = time.perf_counter()
    workers = [threading.Thread(target=client, args=(i,)) for i in range(connections)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(duration + 10)
    elapsed = time.perf_counter() - started
    merged = sorted(t for chunk in latencies for t in chunk)
    counts: dict[int, int] = {}
    for chunk in statuses:
        for status, count in chunk.items():
            counts[status] = counts.get(status, 0) + count
    total = sum(counts.values())

    def pct(p: float) -> float:
        return merged[min(len(merged) - 1, int(p * len(merged)))] if merged else float("nan")

    return {"requests": total, "rps": total / elapsed, "p50": pct(0.5), "p99": pct(0.99),
            "unexpected": total - counts.get(expect, 0) + sum(errors), "statuses": counts}


def measure_run(server_pid: int, generator: str, url: str, args: argparse.Namespace, name: str,
                headers: dict[str, str], expect: int) -> dict[str, Any]:
    """One bounded load run against the server, with the CPU both sides spent per request."""
    server_before, client_before = server_cpu_seconds(server_pid), children_cpu_seconds()
    client_started = time.process_time()
    if generator == "wrk":
        result = run_wrk(url, args.duration, args.connections, 2, headers, expect)
    else:
        result = run_python(url, args.duration, args.connections, headers, expect)
    requests = max(1, result["requests"])
    result["name"] = name
    result["server_cpu_ms"] = (server_cpu_seconds(server_pid) - server_before) / requests * 1000
    client_cpu = children_cpu_seconds() - client_before + time.process_time() - client_started
    result["client_cpu_ms"] = client_cpu / requests * 1000
    # What 2 dedicated cores would serve, load generator included: steadier than req/s here.
    result["rps_2_cores"] = 2000 / (result["server_cpu_ms"] + result["client_cpu_ms"])
    print(f"  {name}: {result['rps']:.0f} requests/s, statuses {result['statuses']}"
          + (f", {result['bytes_per_response']} bytes/response" if "bytes_per_response" in result else ""))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--talks", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default="sqlite:////tmp/conference-load-bench.db",
                        help="SQLite file (default) or postgresql://.../bench_<name>: recreated, then dropped")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="gthread", choices=("gthread", "sync"),
                        help="gthread keeps connections alive; sync closes each one")
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument("--duration", type=int, default=10, help="seconds per run")
    parser.add_argument("--runs", type=int, default=3, help="runs of each kind; medians are reported")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--generator", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--no-write", action="store_true", help="do not write bench/results/*.json")
    args = parser.parse_args(argv)
    generator = args.generator
    if generator == "auto":
        generator = "wrk" if shutil.which("wrk") else "python"

    build_database(args.database_url, args.talks, args.seed)
    port = free_port()
    url = f"http://127.0.0.1:{port}/c/{SLUG}/calendar.ics"
    runs = []
    with tempfile.TemporaryDirectory(prefix="bench-instance-") as instance_path:
        server = start_gunicorn(args.database_url, port, args.workers, args.worker_class, args.threads,
                                instance_path)
        try:
            wait_ready(f"http://127.0.0.1:{port}/c/{SLUG}/schedule.json", server, timeout=60)
            etag = warm(url, args.workers)
            print(f"gunicorn: {args.workers} {args.worker_class} workers"
                  f"{f' x {args.threads} threads' if args.worker_class == 'gthread' else ''} on 127.0.0.1:{port}; "
                  f"load: {generator}, {args.connections} connections, {args.duration} s per run, "
                  f"{args.runs} runs of each kind")
            kinds = (
                ("feed 200", {}, 200),
                # What calendar clients send: the cached gzip copy, ~20x fewer bytes.
                ("feed 200 gzip", {"Accept-Encoding": "gzip"}, 200),
                ("feed 304", {"If-None-Match": etag}, 304),
            )
            # Kinds interleaved run by run, so a burst of load elsewhere hits them alike.
            for _ in range(args.runs):
                for name, headers, expect in kinds:
                    runs.append(measure_run(server.pid, generator, url, args, name, headers, expect))
        finally:
            stop(server)
            if not args.keep:
                drop_database(args.database_url)

    rows = []
    for name in dict.fromkeys(run["name"] for run in runs):
        of_kind = [run for run in runs if run["name"] == name]
        rps = median([run["rps"] for run in of_kind])
        unexpected = sum(run["unexpected"] for run in of_kind)
        rows.append([
            name, fmt(sum(run["requests"] for run in of_kind), "d"), fmt(rps, ".0f"),
            " ".join(f"{run['rps']:.0f}" for run in of_kind),
            fmt(median([run["p50"] for run in of_kind]) * 1000, ".2f"),
            fmt(median([run["p99"] for run in of_kind]) * 1000, ".2f"), fmt(unexpected, "d"),
            fmt(median([run["server_cpu_ms"] for run in of_kind]), ".2f"),
            fmt(median([run["client_cpu_ms"] for run in of_kind]), ".2f"),
            fmt(median([run["rps_2_cores"] for run in of_kind]), ".0f"), f">= {TARGET_RPS}/s, 0 errors",
            "MET" if rps >= TARGET_RPS and unexpected == 0 else "NOT MET",
        ])
    print()
    print(render_table(["kind", "requests", "median req/s", "each run", "p50 ms", "p99 ms", "unexpected",
                        "server cpu ms/req", "client cpu ms/req", "req/s on 2 idle cores", "target", "met"], rows))
    print(f"\nload average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs: on a shared machine req/s is "
          "noisy; the CPU columns say what 2 idle cores would serve")
    if not args.no_write:
        path = write_results("load_feeds", {
            "machine": machine_info(), "database": args.database_url.split(":", 1)[0], "talks": args.talks,
            "workers": args.workers, "worker_class": args.worker_class, "threads": args.threads,
            "generator": generator, "connections": args.connections, "duration": args.duration, "runs_per_kind": args.runs,
            "runs": [{k: v for k, v in run.items() if k != "raw"} for run in runs],
        })
        print(f"\nresults: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
