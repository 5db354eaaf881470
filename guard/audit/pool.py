"""Worker processes: chunks audited in parallel, their reports back in input order.

Each worker holds one `Auditor` (built once: on Linux the workers are
forked from this process after it built the Guard, so its pages are
shared) and runs without the cyclic garbage collector. The pool is small
and ours, rather than `concurrent.futures`, because a run must end
truthfully whatever happens to a worker:

* **A lost worker** (killed by the kernel's OOM killer, say): the chunk it
  was auditing is audited again in a fresh worker (the chunks queued behind
  it too), so the report is the one an undisturbed run gives. A chunk whose
  second worker is lost as well ends the run with a `RunError` naming it.
  Each worker has its own pipes: one death breaks nothing else.
* **The main process stops** (a signal, an error, the consumer giving up):
  the workers are killed and reaped before the generator returns. A worker
  also dies with the main process however that ends (Linux's parent-death
  signal, else a watchdog thread), so none is left running under PID 1.
* Workers ignore SIGINT and SIGHUP (Ctrl-C and a closed terminal reach the
  whole process group: the main process decides) and die of SIGTERM.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import queue
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

from guard.audit.chunk import audit_chunk
from guard.audit.judge import AuditConfig, Auditor
from guard.audit.readers import Chunk
from guard.audit.report import Report
from guard.audit.spool import encode
from guard.engine import Guard
from guard.errors import RunError

# Chunks handed to one worker before its first result comes back: one to work on,
# one waiting, so a worker never idles between chunks.
IN_FLIGHT = 2
# A chunk is audited at most this many times (once, and again after a lost worker).
ATTEMPTS = 2
_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
_PR_SET_PDEATHSIG = 1


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


# ---------------------------------------------------------------- in a worker


def _die_with_parent(parent: int) -> None:
    """This process ends when `parent` does, however that ends (SIGKILL included)."""
    armed = False
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            armed = libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
        except (OSError, AttributeError):
            armed = False
    if not armed:
        def watch() -> None:
            while os.getppid() == parent:
                threading.Event().wait(0.5)
            os._exit(1)

        threading.Thread(target=watch, daemon=True).start()
    if os.getppid() != parent:  # it ended before the signal was armed
        os._exit(1)


def _worker(parent: int, tasks: Connection, results: Connection, auditor: Auditor | None,
            config: AuditConfig) -> None:
    """A worker's life: audit chunks as they come, send each report back, until told to stop.

    The stop signals are blocked when this starts (see `_start`); the
    dispositions are set before they are let through.
    """
    _die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
    with contextlib.suppress(OSError):  # nothing of ours holds the user's terminal or pipe
        devnull = os.open(os.devnull, os.O_RDWR)
        os.dup2(devnull, 0)
        os.dup2(devnull, 1)
        os.close(devnull)
    # No record makes a reference cycle (tests/test_audit_chunk.py shows it), so
    # reference counting frees everything; a collection after each chunk would
    # only walk the caches and write to the pages shared with the parent.
    gc.disable()
    try:
        _serve(tasks, results, auditor, config)
    except (EOFError, OSError):  # the main process is gone, or stopped listening
        os._exit(1)


def _serve(tasks: Connection, results: Connection, auditor: Auditor | None,
           config: AuditConfig) -> None:
    try:
        own = auditor if auditor is not None else Auditor(config)
    except Exception as exc:
        results.send((-1, f"{type(exc).__name__}: {exc}"))
        return
    # A thread takes the tasks as they come, so the main process never waits on a
    # full pipe while this one waits to send it a report.
    inbox: queue.SimpleQueue[tuple[int, Chunk] | None] = queue.SimpleQueue()

    def receive() -> None:
        try:
            while True:
                task = tasks.recv()
                inbox.put(task)
                if task is None:
                    return
        except (EOFError, OSError):
            inbox.put(None)

    threading.Thread(target=receive, daemon=True).start()
    while True:
        task = inbox.get()
        if task is None:
            return
        index, chunk = task
        try:
            report = audit_chunk(own, chunk)
            answer: Any = (index, (report.without_findings(), encode(report.findings)))
        except Exception as exc:
            answer = (index, f"{type(exc).__name__}: {exc}")
        results.send(answer)


# ---------------------------------------------------------------- in the main process


@dataclass
class _Process:
    process: Any  # multiprocessing.Process
    tasks: Connection  # what this process sends
    results: Connection  # what it receives
    in_flight: deque[int] = field(default_factory=deque)  # chunk indexes, oldest first


@dataclass
class _Task:
    chunk: Chunk
    attempts: int = 0


class _Pool:
    def __init__(self, config: AuditConfig, auditor: Auditor | None, context: Any):
        self.config = config
        self.auditor = auditor
        self.context = context
        self.processes: list[_Process] = []

    def start(self) -> _Process:
        """A fresh worker. Stop signals are blocked while it forks: until its own
        handlers are in place it must not run this process's (they raise)."""
        receive_tasks, send_tasks = self.context.Pipe(duplex=False)
        receive_results, send_results = self.context.Pipe(duplex=False)
        process = self.context.Process(
            target=_worker, daemon=True,
            args=(os.getpid(), receive_tasks, send_results, self.auditor, self.config))
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
        try:
            process.start()
            worker = _Process(process, send_tasks, receive_results)
            self.processes.append(worker)  # before a signal can stop this process: reaped
            receive_tasks.close()
            send_results.close()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        return worker

    def stop(self, gently: bool) -> None:
        """Every worker ended and reaped: told to finish, or killed."""
        for worker in self.processes:
            if gently:
                with contextlib.suppress(OSError, ValueError):
                    worker.tasks.send(None)
            else:
                with contextlib.suppress(OSError, ValueError):
                    worker.process.kill()
        for worker in self.processes:
            worker.process.join(5 if gently else None)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            worker.tasks.close()
            worker.results.close()
        self.processes.clear()


def _how_it_ended(process: Any) -> str:
    process.join(1)
    code = process.exitcode
    if code is None:
        return "没有响应"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"信号 {-code}"
        return f"被 {name} 终止" + ("（可能是内存不足）" if -code == signal.SIGKILL else "")
    return f"退出码 {code}"


def audit_in_workers(chunks: Iterable[Chunk], config: AuditConfig, workers: int,
                     guard: Guard | None = None,
                     warn: Callable[[str], object] = lambda line: print(line, file=sys.stderr),
                     ) -> Iterator[tuple[Chunk, Report, bytes]]:
    """(chunk, its report without findings, its findings spool-encoded) in input order.

    The worker serializes its own evidence: the main process only appends
    bytes. A chunk audited again after a lost worker is reported through
    `warn` (one line); a chunk that cannot be audited is a `RunError`.
    On Linux the workers are forked after this process built the Guard and
    loaded jieba (the ~100 MB every worker needs), with the garbage
    collector's view of those objects frozen, so the pages stay shared: the
    workers together take little more memory than one. Elsewhere each
    worker builds its own.
    """
    if sys.platform == "linux":
        auditor: Auditor | None = Auditor(config, guard=guard).warm()
        context = multiprocessing.get_context("fork")
        gc.collect()
        gc.freeze()  # the GC would otherwise write to every shared object's header
    else:
        auditor = None
        context = multiprocessing.get_context(
            "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn")
    pool = _Pool(config, auditor, context)
    tasks: dict[int, _Task] = {}  # handed out or waiting, not yet yielded
    waiting: deque[int] = deque()  # to hand out again (after a lost worker), first
    done: dict[int, tuple[Report, bytes]] = {}
    source = enumerate(chunks)
    exhausted = False
    next_out = 0  # the index of the next chunk to yield
    finished = False
    try:
        for _ in range(workers):
            pool.start()
        gc.unfreeze()  # the workers exist; collect as usual here
        while True:
            while next_out in done:
                report, encoded = done.pop(next_out)
                yield tasks.pop(next_out).chunk, report, encoded
                next_out += 1
            for worker in pool.processes:  # hand out work: oldest first, a bounded lead
                while len(worker.in_flight) < IN_FLIGHT:
                    if waiting:
                        index = waiting.popleft()
                    elif not exhausted and len(tasks) < IN_FLIGHT * workers + 1:
                        item = next(source, None)
                        if item is None:
                            exhausted = True
                            break
                        index, chunk = item
                        tasks[index] = _Task(chunk)
                    else:
                        break
                    worker.in_flight.append(index)
                    try:
                        worker.tasks.send((index, tasks[index].chunk))
                    except (OSError, ValueError):
                        break  # it is gone: found below
            if exhausted and not tasks:
                finished = True
                return
            ready = wait([w.results for w in pool.processes]
                         + [w.process.sentinel for w in pool.processes])
            for worker in list(pool.processes):
                if worker.results not in ready and worker.process.sentinel not in ready:
                    continue
                lost = False
                while worker.results.poll():
                    try:
                        index, answer = worker.results.recv()
                    except (EOFError, OSError):
                        lost = True
                        break
                    if index < 0:
                        raise RunError(f"工作进程无法启动：{answer}")
                    if isinstance(answer, str):
                        raise RunError(f"审计 {tasks[index].chunk.describe()} 时出错：{answer}")
                    worker.in_flight.remove(index)
                    done[index] = answer
                if lost or not worker.process.is_alive():
                    _replace(pool, worker, tasks, waiting, warn)
    finally:
        gc.unfreeze()
        pool.stop(gently=finished)


def _replace(pool: _Pool, worker: _Process, tasks: dict[int, _Task], waiting: deque[int],
             warn: Callable[[str], object]) -> None:
    """A worker is gone: its chunks go to the front of the queue and a fresh worker starts.

    The chunk it was auditing (its oldest) counts an attempt; the ones queued
    behind it never started.
    """
    how = _how_it_ended(worker.process)
    pool.processes.remove(worker)
    worker.tasks.close()
    worker.results.close()
    if worker.in_flight:
        culprit = tasks[worker.in_flight[0]]
        culprit.attempts += 1
        where = culprit.chunk.describe()
        if culprit.attempts >= ATTEMPTS:
            raise RunError(f"工作进程在审计 {where}时{how}，换新进程重试仍失败；"
                           "审计未完成，没有写出报告")
        warn(f"警告：工作进程在审计 {where}时{how}，已在新进程中重新审计这一段")
        waiting.extendleft(reversed(worker.in_flight))
    pool.start()
