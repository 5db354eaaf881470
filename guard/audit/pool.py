"""Worker processes: chunks audited in parallel, their reports back in input order.

Each worker holds one `Auditor` (built once: on Linux the workers are
forked from this process after it built the Guard, so its pages are
shared) and runs without the cyclic garbage collector.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from guard.audit.chunk import audit_chunk
from guard.audit.judge import AuditConfig, Auditor
from guard.audit.readers import Chunk
from guard.audit.report import Report
from guard.audit.spool import encode
from guard.engine import Guard

_AUDITOR: Auditor | None = None  # a worker process's own, set once by its initializer


def _no_cyclic_gc() -> None:
    """A worker process runs without the cyclic garbage collector.

    No record adds a reference cycle (a test audits logs good and bad with
    the collector off, once and twice over, and finds the same few objects
    to collect: the auditor's own, which lives as long as the worker), so
    reference counting frees everything; a collection after each chunk
    would only walk the caches (~10 ms a chunk, measured) and write to the
    pages shared with the parent.
    """
    gc.disable()


def _init_worker(config: AuditConfig) -> None:
    """spawn / forkserver: the worker builds its own Guard, once."""
    global _AUDITOR
    _no_cyclic_gc()
    _AUDITOR = Auditor(config)


def _adopt(auditor: Auditor) -> None:
    """fork: the worker takes the parent's auditor, its pages shared until written."""
    global _AUDITOR
    _no_cyclic_gc()
    _AUDITOR = auditor


def _audit_encoded_in_worker(chunk: Chunk) -> tuple[Report, bytes, int]:
    """The chunk's report without its findings, and the findings spool-encoded.

    The worker serializes its own evidence: the main process only appends
    bytes, and one bytes object crosses the pipe instead of thousands of records.
    """
    assert _AUDITOR is not None, "worker not initialized"
    report = audit_chunk(_AUDITOR, chunk)
    return report.without_findings(), encode(report.findings), len(report.findings)


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _pool(config: AuditConfig, workers: int, guard: Guard | None) -> ProcessPoolExecutor:
    """Worker processes, each with a Guard built once.

    On Linux they are forked from this process after it built the Guard and
    loaded jieba (the ~100 MB every worker needs), with the garbage
    collector's view of those objects frozen, so the pages stay shared: the
    workers together take little more memory than one. Elsewhere (no safe
    fork) each worker builds its own.
    """
    if sys.platform == "linux":
        auditor = Auditor(config, guard=guard).warm()
        gc.collect()
        gc.freeze()  # the GC would otherwise write to every shared object's header
        return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                   initializer=_adopt, initargs=(auditor,))
    context = multiprocessing.get_context(
        "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn")
    return ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker,
                               initargs=(config,))


def audit_in_workers(chunks: Iterable[Chunk], config: AuditConfig, workers: int,
                     guard: Guard | None = None) -> Iterator[tuple[Chunk, Report, bytes]]:
    """(chunk, its report without findings, its findings spool-encoded) in input order.

    Up to two chunks per worker in flight. No thread may run in this process
    until the first chunk is handed out (the workers are forked then).
    """
    pool = _pool(config, workers, guard)
    pending: deque[tuple[Chunk, Future[Any]]] = deque()
    try:
        for chunk in chunks:
            pending.append((chunk, pool.submit(_audit_encoded_in_worker, chunk)))
            gc.unfreeze()  # the workers exist after the first submit; collect as usual
            while len(pending) > 2 * workers:
                done, future = pending.popleft()
                report, encoded, _ = future.result()
                yield done, report, encoded
        while pending:
            done, future = pending.popleft()
            report, encoded, _ = future.result()
            yield done, report, encoded
    finally:
        gc.unfreeze()
        pool.shutdown(wait=True, cancel_futures=True)
