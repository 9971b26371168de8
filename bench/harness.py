"""Small helpers shared by the benchmark scripts.

Every measured solve runs in its own child process so that its peak resident
memory (CP-SAT and CBC are native code, invisible to ``tracemalloc``) can be read
exactly for that child with ``os.wait4``, and so that a runaway solve can be
killed by a hard wall-clock limit.
"""

from __future__ import annotations

import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"


@dataclass
class ChildResult:
    """What one measured child process produced."""

    payload: dict[str, Any] | None
    wall_s: float
    maxrss_mb: float
    returncode: int | None
    timed_out: bool
    stderr_tail: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def run_child(args: list[str], *, hard_timeout: float) -> ChildResult:
    """Run ``python <args>`` and return its last JSON stdout line, wall time and peak RSS.

    The child writes one JSON object as its last line of stdout.  Peak memory is the
    child's own ``ru_maxrss`` (read with ``wait4`` for exactly that pid) plus nothing
    else; a grandchild (CBC's executable) reports its own figure in the payload.
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p
    )
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, *args],
            stdout=out,
            stderr=err,
            env=env,
            cwd=str(REPO_ROOT),
            start_new_session=True,
        )
        timed_out = False
        deadline = start + hard_timeout
        status = None
        rusage = None
        while True:
            pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
            if pid == proc.pid:
                break
            if time.perf_counter() > deadline:
                timed_out = True
                # Kill the child's own process group (it may have started CBC).
                os.killpg(proc.pid, signal.SIGKILL)
                _, status, rusage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.05)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    payload = None
    for line in reversed(stdout.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                payload = json.loads(line)
            except json.JSONDecodeError:
                continue
            break
    # ru_maxrss is in kilobytes on Linux.
    maxrss_mb = rusage.ru_maxrss / 1024.0 if rusage is not None else float("nan")
    return ChildResult(
        payload=payload,
        wall_s=wall,
        maxrss_mb=maxrss_mb,
        returncode=proc.returncode,
        timed_out=timed_out,
        stderr_tail=stderr[-2000:],
    )


def median(values: list[float]) -> float:
    vals = [v for v in values if v is not None and v == v]
    return statistics.median(vals) if vals else float("nan")


def machine_info() -> dict[str, Any]:
    try:
        load = os.getloadavg()
    except OSError:
        load = (float("nan"),) * 3
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "loadavg_at_start": [round(x, 2) for x in load],
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def write_results(name: str, data: dict[str, Any]) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    path = RESULTS_DIR / f"{name}-{stamp}.json"
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")
    return path


def fmt(value: Any, spec: str = ".1f", missing: str = "-") -> str:
    if value is None:
        return missing
    if isinstance(value, float) and value != value:
        return missing
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return format(value, spec)
    return str(value)


def render_table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))
    line = "  ".join(h.rjust(w) for h, w in zip(headers, widths, strict=True))
    sep = "  ".join("-" * w for w in widths)
    body = [
        "  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in rows
    ]
    return "\n".join([line, sep, *body])
