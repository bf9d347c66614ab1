"""Local worker processes of a sweep: chunks of points go out, each finished point is saved.

A worker (a spawned process) takes a chunk of points (:func:`cnplan.sweeps.runner.chunks`:
points sharing a model structure, built once and re-solved warm), solves them in turn and
writes each point's file itself the moment it is solved (:func:`~cnplan.sweeps.points.
write_point`), then sends the record to the parent over its pipe; an idle worker gets the
next chunk. So every finished point is on disk whatever happens to the parent, and the
parent's progress moves point by point.

Workers never outlive the sweep. Ctrl-C is for the parent only: a worker starts with SIGINT
blocked and then ignores it, and the parent, interrupted, terminates its workers (they lose
the points in flight, nothing else). A worker dies with its parent however the parent ends,
SIGKILL included: on Linux the kernel sends it SIGTERM (``prctl(PR_SET_PDEATHSIG)``), and
everywhere a thread of the worker exits it once its parent process id changes.

A worker that dies (out of memory, a solver crash) takes its point in flight with it: that
point is tried again alone in a new worker, up to :data:`CRASH_RETRIES` times, then recorded
as failed; the rest of its chunk goes to a new worker as it was. Workers that keep dying
before any point finishes stop the sweep (:data:`MAX_DEATHS_IN_A_ROW`).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from multiprocessing import get_context
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from cnplan.sweeps.points import failed_record, write_point
from cnplan.sweeps.spec import Point
from cnplan.sweeps.worker import run_point

#: A point whose worker dies while solving it is tried again this many times (alone, in a
#: new worker) before it is recorded as failed.
CRASH_RETRIES = 1
#: Workers that die one after the other with no point finished in between stop the sweep.
MAX_DEATHS_IN_A_ROW = 5
#: ``prctl`` option: the signal this process gets when its parent dies (Linux).
PR_SET_PDEATHSIG = 1
#: How often a worker checks that its parent is still there [s].
PARENT_POLL_S = 0.5
#: How long stopped workers get to exit before they are killed [s].
STOP_WAIT_S = 5.0

#: What every point of a sweep is solved with: plan file, resolution, time limit.
SolveArgs = tuple[str, str, float | None]


@dataclass
class _Worker:
    """A worker process, its end of the pipe and the points it holds."""

    process: BaseProcess
    conn: Connection
    points: dict[str, Point] = field(default_factory=dict)
    """Points sent to it and not yet back."""
    gone: bool = False
    """It has exited (or its pipe broke)."""


@dataclass
class _Crashes:
    """Worker deaths so far."""

    by_point: dict[str, int] = field(default_factory=dict)
    """Deaths of a worker while solving each point."""
    in_a_row: int = 0
    """Deaths since a point last finished."""


def run_chunks(args: SolveArgs, out_dir: Path, parts: list[list[Point]],
               workers: int) -> Iterator[dict[str, Any]]:
    """Run chunks of points on up to ``workers`` local processes and yield every point's
    record, already in its file, as it finishes (module docstring). Closing the iterator
    (or an exception in it, Ctrl-C included) ends every worker."""
    todo: deque[list[Point]] = deque(parts)
    crashes = _Crashes()
    pool: list[_Worker] = []
    try:
        while todo or pool:
            _hire(pool, todo, workers, args, out_dir)
            ready = set(wait([w.conn for w in pool] + [w.process.sentinel for w in pool]))
            for w in list(pool):
                if w.conn in ready or w.process.sentinel in ready:
                    for record in _receive(w):
                        crashes.in_a_row = 0
                        yield record
                    w.gone = w.gone or w.process.sentinel in ready
                if w.gone or not (w.points or todo):  # dead, or nothing left for it
                    _stop([w])
                    pool.remove(w)
                    yield from _lost(w, todo, crashes, out_dir)
                elif not w.points:
                    _give(w, todo.popleft())
    finally:
        _stop(pool)


def _hire(pool: list[_Worker], todo: deque[list[Point]], workers: int, args: SolveArgs,
          out_dir: Path) -> None:
    """Start workers for waiting chunks (up to ``workers`` in all), then give each a chunk:
    all start before any is waited for, so they import in parallel."""
    new = [_start(pool, args, out_dir) for _ in range(min(workers - len(pool), len(todo)))]
    for w in new:
        _give(w, todo.popleft())


def _start(pool: list[_Worker], args: SolveArgs, out_dir: Path) -> _Worker:
    """Start a worker process, listed in ``pool`` before it starts (so it is always
    stopped)."""
    ctx = get_context("spawn")
    parent_end, child_end = ctx.Pipe()
    process = ctx.Process(target=_worker_main, name="cnplan-sweep-worker", daemon=True,
                          args=(child_end, os.getpid(), *args, str(out_dir)))
    w = _Worker(process, parent_end)
    pool.append(w)
    with _ctrl_c_held():
        process.start()
    child_end.close()
    return w


@contextlib.contextmanager
def _ctrl_c_held() -> Iterator[None]:
    """Hold SIGINT back in this thread while a worker is started: the worker inherits the
    block, so a Ctrl-C while it imports does not reach it; here it is delivered after."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _give(w: _Worker, chunk: list[Point]) -> None:
    """Send ``chunk`` to worker ``w`` (marked gone if it cannot be reached)."""
    w.points = {p.id: p for p in chunk}
    try:
        w.conn.send([(p.id, p.values) for p in chunk])
    except OSError:
        w.gone = True


def _receive(w: _Worker) -> Iterator[dict[str, Any]]:
    """The records worker ``w`` has sent so far (marks it gone at the end of its pipe).

    Raises ``OSError`` if the worker solved a point but could not write its file."""
    while not w.gone:
        try:
            if not w.conn.poll():
                return
            record, error = w.conn.recv()
        except (EOFError, OSError):
            w.gone = True
            return
        w.points.pop(record["id"], None)
        if error:
            raise OSError(error)
        yield record


def _lost(w: _Worker, todo: deque[list[Point]], crashes: _Crashes,
          out_dir: Path) -> Iterator[dict[str, Any]]:
    """The points a worker that is gone did not finish. The one it was solving (the first
    not back) is queued again alone, or after :data:`CRASH_RETRIES` tries recorded (and
    yielded) as failed; the rest of its chunk is queued again as it was.

    Raises ``ChildProcessError`` when :data:`MAX_DEATHS_IN_A_ROW` workers have died with no
    point finished in between (workers that cannot start, or no point fits in memory)."""
    if not w.points:
        return
    crashes.in_a_row += 1
    if crashes.in_a_row >= MAX_DEATHS_IN_A_ROW:
        raise ChildProcessError(f"{crashes.in_a_row} sweep worker processes in a row died "
                                "before finishing a point (the last with exit code "
                                f"{w.process.exitcode}); the messages above may say why")
    culprit, *rest = w.points.values()
    if rest:
        todo.append(rest)
    crashes.by_point[culprit.id] = crashes.by_point.get(culprit.id, 0) + 1
    if crashes.by_point[culprit.id] <= CRASH_RETRIES:
        todo.append([culprit])
        return
    record = failed_record(culprit, "crashed", "the worker process died while solving this "
                           "point (out of memory or a solver crash)")
    write_point(out_dir, record)
    yield record


def _stop(workers: list[_Worker]) -> None:
    """End ``workers`` (one still solving loses its point in flight) and reap them: SIGTERM,
    then SIGKILL for any still there after :data:`STOP_WAIT_S`."""
    started = [w for w in workers if w.process.pid is not None]
    for w in started:
        if w.process.is_alive():
            w.process.terminate()
    deadline = time.monotonic() + STOP_WAIT_S
    for w in started:
        w.process.join(max(0.0, deadline - time.monotonic()))
        if w.process.is_alive():
            w.process.kill()
            w.process.join()
    for w in workers:
        w.conn.close()


def _worker_main(conn: Connection, parent_pid: int, plan_file: str, resolution: str,
                 time_limit: float | None, out_dir: str) -> None:
    """A worker process: solve the chunks the parent sends; write each point's file and
    send back ``(record, None)``, or ``(record, why not)`` if the file could not be written.
    Ends when the parent closes the pipe, sends None or dies."""
    _ignore_ctrl_c()
    _die_with_parent(parent_pid)
    with contextlib.suppress(EOFError, OSError):  # the parent is gone
        while (chunk := conn.recv()) is not None:
            for point_id, values in chunk:
                record = run_point(plan_file, resolution, time_limit, point_id, values, 1)
                conn.send((record, _save(Path(out_dir), record)))


def _save(out_dir: Path, record: dict[str, Any]) -> str | None:
    """Write a point's file; None, or why it could not be written."""
    try:
        write_point(out_dir, record)
    except OSError as exc:
        return f"{out_dir / 'points'}: point {record['id']} could not be written ({exc})"
    return None


def _ignore_ctrl_c() -> None:
    """Ignore SIGINT (a Ctrl-C in the terminal reaches the whole process group; the parent
    decides) and drop one held back while this process started."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _die_with_parent(parent_pid: int) -> None:
    """End this process when process ``parent_pid``, its parent, ends in any way."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM))
    threading.Thread(target=_watch_parent, args=(parent_pid,), name="cnplan-parent-watch",
                     daemon=True).start()


def _watch_parent(parent_pid: int) -> None:
    """Exit the process once its parent is no longer ``parent_pid`` (it died: this process
    was handed to another)."""
    while os.getppid() == parent_pid:
        time.sleep(PARENT_POLL_S)
    os._exit(1)
