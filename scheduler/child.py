"""Work in a child Python process, for the second core.

The annealer holds the GIL in the main thread, so the Lagrangian bound's numpy steps in a
thread would wait for it; a process does not. The parent pickles one payload to the
child's stdin; the child pickles any number of results to its stdout, each read as soon as it
is written. The child is killed as soon as `stopped.is_set()` (polled every 20 ms).
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any


def results_from_child(entry: str, payload: Any, stopped) -> Iterator[Any]:
    """Run `entry` ("module:function", the function calling `serve`) on `payload`; yield its results."""
    module, function = entry.split(":")
    package_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (package_root, env.get("PYTHONPATH"))))
    # The child is the second core's work: numpy's BLAS must not start threads on the first.
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[name] = "1"
    child = subprocess.Popen(  # noqa: S603 - our own interpreter and module, no shell
        [sys.executable, "-c", f"from {module} import {function}; {function}()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
    done = call_when_set(stopped, child.kill)
    try:
        pickle.dump(payload, child.stdin)
        child.stdin.close()
        while not stopped.is_set():
            try:
                yield pickle.load(child.stdout)  # noqa: S301 - written by our own child process
            except (EOFError, pickle.UnpicklingError):
                break  # finished, or killed mid-write
    except BrokenPipeError:
        pass  # killed before it read the payload
    finally:
        done.set()
        if child.poll() is None:
            child.kill()
        child.wait()
        child.stdout.close()


def call_when_set(flag, action: Callable[[], None]) -> threading.Event:
    """Call `action` once `flag.is_set()` (polled every 20 ms) unless the returned event is set first."""
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.02):
            if flag.is_set():
                action()
                return

    threading.Thread(target=watch, daemon=True).start()
    return done


def serve(work: Callable[[Any, Callable[[Any], None]], None]) -> None:
    """Child side: read the payload from stdin and call `work(payload, emit)`."""
    payload = pickle.load(sys.stdin.buffer)  # noqa: S301 - written by our parent process

    def emit(result: Any) -> None:
        pickle.dump(result, sys.stdout.buffer)
        sys.stdout.buffer.flush()

    work(payload, emit)
