"""Running a sweep: chunks of runs on a local process pool or a Dask cluster, streamed to the store.

Why chunks: a default run takes about 10 ms, so shipping one run per task
would spend a noticeable share on task overhead; a chunk of tens of runs
keeps the engine within a few percent of a plain loop. Why a bounded window
of tasks in flight: the parent never holds more than a few chunks' results
before they are written, so memory stays flat whatever the number of runs.

Every run is a pure function of (config, seed), both derived from the sweep
file and the run id (:mod:`jcs_sim.sweep.design`), so the backend and the
worker count change the order in which rows arrive, never their content.
"""

from __future__ import annotations

import contextlib
import math
import os
import signal
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..config import ConfigError
from .design import Sweep
from .store import Store, rows_to_table

__all__ = ["run_sweep", "run_chunk", "available_cores", "BACKENDS"]

BACKENDS = ("local", "dask")
_CACHE_POINTS = 256  # configs kept per worker (runs of one point are consecutive, so a few suffice)


def available_cores() -> int:
    """Cores this process may use (the affinity mask where the OS has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


# ----- the worker side ------------------------------------------------------------
def run_chunk(sweep: Sweep, run_ids: list[int]) -> dict[str, pa.Table]:
    """Run a list of run ids; a run that raises becomes a row with its error and seed."""
    from ..campaign import Campaign
    from ..organisation import incident_model
    from ..results import timeline_table, trace_table

    cache: dict[int, dict[str, Any]] = sweep.__dict__.setdefault("_config_cache", {})
    want = sweep.outputs
    rows: list[dict[str, Any]] = []
    extra: dict[str, list[pa.Table]] = {k: [] for k in want if k != "summary"}
    for rid in run_ids:
        point, rep = sweep.locate(rid)
        seed = sweep.seed(point, rep)
        head = {"run_id": int(rid), "point_id": point, "rep": rep, "seed": seed}
        try:
            cfg = cache.get(point)
            if cfg is None:
                if len(cache) >= _CACHE_POINTS:
                    cache.clear()
                cfg = cache[point] = sweep.config(point)
            if sweep.campaign_days:  # a campaign sweep: one row of per-campaign outcomes (design.py allows no other output)
                rows.append({**head, "error": None, **Campaign(cfg, seed=seed, days=sweep.campaign_days).run().outcomes()})
                continue
            model = incident_model(cfg, seed=seed, record_trace="trace" in want).run()
            summary = model.summary()
            responders = summary.pop("responders")
            rows.append({**head, "error": None, **summary})
            if "responders" in extra:
                extra["responders"].append(pa.Table.from_pylist([{"run_id": int(rid), **_flat(r)} for r in responders]))
            if "timeline" in extra:
                t = timeline_table(model)
                extra["timeline"].append(t.add_column(0, "run_id", pa.array([int(rid)] * t.num_rows, pa.int64())))
            if "trace" in extra:
                t = trace_table(model)
                extra["trace"].append(t.add_column(0, "run_id", pa.array([int(rid)] * t.num_rows, pa.int64())))
        except Exception as exc:  # noqa: BLE001 - a failing run is data, not the end of the sweep
            rows.append({**head, "error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()[-4000:]})
    out = {"summary": rows_to_table(rows)}
    for k, tables in extra.items():
        if tables:
            out[k] = pa.concat_tables(tables, promote_options="permissive")
    return out


def _flat(r: dict[str, Any]) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, dict) else v) for k, v in r.items()}


def _error_tables(sweep: Sweep, run_ids: list[int], message: str) -> dict[str, pa.Table]:
    rows = []
    for rid in run_ids:
        point, rep = sweep.locate(rid)
        rows.append({"run_id": int(rid), "point_id": point, "rep": rep, "seed": sweep.seed(point, rep), "error": message})
    return {"summary": rows_to_table(rows)}


_SWEEP: Sweep | None = None


def _init_local(sweep: Sweep, parent: int) -> None:
    """Pool initializer: keep the sweep, leave Ctrl-C to the parent (which saves and exits), die with the parent."""
    global _SWEEP
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _SWEEP = sweep
    threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True).start()


def _exit_when_orphaned(parent: int) -> None:
    """A parent killed with SIGKILL cannot stop its pool; each worker notices and exits within a second."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def _local_chunk(run_ids: list[int]) -> dict[str, pa.Table]:
    assert _SWEEP is not None
    return run_chunk(_SWEEP, run_ids)


# ----- backends ---------------------------------------------------------------------
def _local_results(sweep: Sweep, chunks: Iterable[list[int]], workers: int) -> Iterator[tuple[list[int], dict[str, pa.Table]]]:
    """A process pool (spawn: the same on every OS, and no inherited threads or locks)."""
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    ctx = multiprocessing.get_context("spawn")

    def pool() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_local, initargs=(sweep, os.getpid()))

    window = 3 * workers
    it = iter(chunks)
    retry: deque[list[int]] = deque()
    deaths: dict[int, int] = {}
    ex = pool()
    pending: dict[Any, list[int]] = {}
    try:
        while True:
            while len(pending) < window:
                c = retry.popleft() if retry else next(it, None)
                if c is None:
                    break
                pending[ex.submit(_local_chunk, c)] = c
            if not pending:
                ex.shutdown(wait=True)  # all done: let the workers exit cleanly (and be reaped)
                return
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            broken = False
            for f in done:
                c = pending.pop(f)
                try:
                    result = f.result()
                except BrokenProcessPool:
                    broken = True
                    retry.append(c)
                    continue
                yield c, result
            if broken:
                # A worker died (killed, out of memory, a crash in native code): restart the pool and rerun
                # the chunks it took down one run at a time; a run that kills a worker twice is recorded as an error.
                retry.extend(pending.values())
                pending.clear()
                ex.shutdown(wait=False, cancel_futures=True)
                ex = pool()
                singles: deque[list[int]] = deque()
                for c in retry:
                    if len(c) > 1:
                        singles.extend([r] for r in c)
                        continue
                    deaths[c[0]] = deaths.get(c[0], 0) + 1
                    if deaths[c[0]] >= 2:
                        yield c, _error_tables(sweep, c, "WorkerDied: the worker process running this run died twice")
                    else:
                        singles.append(c)
                retry = singles
    finally:
        ex.shutdown(wait=False, cancel_futures=True)


def _probe_address(address: str, timeout: float = 5.0) -> None:
    """Fail at once, with one line, when nothing listens at a scheduler address.

    Why: Dask's ``Client`` retries a refused connection until its timeout
    (30 s), and the sweep used to have written its manifest by then.
    """
    import socket
    from urllib.parse import urlsplit

    allowed = "HOST:PORT or tcp://HOST:PORT of a running Dask scheduler"
    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        host, port = None, None
    if parts.scheme not in ("tcp", "tls") or not host or port is None:
        raise ConfigError(f"--address {address!r} is not a scheduler address; allowed: {allowed}.")
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ConfigError(f"--address {address}: cannot reach a Dask scheduler there ({reason}); allowed: {allowed}.") from None


def _dask_connect(workers: int, address: str | None, processes: bool) -> tuple[Any, Any]:
    """A Dask client (and the LocalCluster it owns, if any), made before the output directory is touched."""
    from dask.distributed import Client, LocalCluster

    if address:
        _probe_address(address)
        try:
            return Client(address, timeout="30s"), None
        except (OSError, TimeoutError) as exc:
            raise ConfigError(
                f"--address {address}: cannot reach a Dask scheduler there: {exc}; allowed: HOST:PORT of a running scheduler."
            ) from None
    last: BaseException | None = None
    for _ in range(2):  # a worker lost while the cluster starts (seen under load) is worth one more try
        cluster = None
        try:
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=processes, dashboard_address=None)
            return Client(cluster), cluster
        except (RuntimeError, OSError, TimeoutError) as exc:
            last = exc
            if cluster is not None:
                with contextlib.suppress(Exception):
                    cluster.close()
    raise ConfigError(
        f"--backend dask: the local Dask cluster of {workers} workers did not start ({type(last).__name__}: {last}); "
        "nothing was written: run the same command again, or use --backend local."
    )


def _dask_results(sweep: Sweep, chunks: Iterable[list[int]], workers: int, client: Any) -> Iterator[tuple[list[int], dict[str, pa.Table]]]:
    """Dask distributed, through a client made by :func:`_dask_connect`."""
    from dask.distributed import as_completed

    # The client and its cluster are closed by run_sweep, which made them.
    threads = sum(client.nthreads().values()) or workers
    window = max(4, 3 * threads)
    [sweep_f] = client.scatter([sweep], broadcast=True)
    it = iter(chunks)
    owner: dict[str, list[int]] = {}
    ac = as_completed()

    def submit() -> None:
        c = next(it, None)
        if c is not None:
            f = client.submit(run_chunk, sweep_f, c, pure=False)
            owner[f.key] = c
            ac.add(f)

    for _ in range(window):
        submit()
    for f in ac:
        c = owner.pop(f.key)
        try:
            result = f.result()
        except Exception as exc:  # noqa: BLE001 - e.g. KilledWorker after the scheduler's retries
            result = _error_tables(sweep, c, f"{type(exc).__name__}: {exc}")
        f.release()
        yield c, result
        submit()


def _close_dask(client: Any, cluster: Any) -> None:
    if client is not None:
        client.close()
    if cluster is not None:
        cluster.close()


# ----- the parent side ----------------------------------------------------------------
class _Writer:
    """Buffers finished batches and writes a part every ``part_runs`` runs or ``flush_seconds``."""

    def __init__(self, store: Store, part_runs: int, flush_seconds: float) -> None:
        self.store, self.part_runs, self.flush_seconds = store, part_runs, flush_seconds
        self.buf: dict[str, list[pa.Table]] = {}
        self.rows = 0
        self.extra_rows = 0
        self.last = time.monotonic()

    def add(self, tables: dict[str, pa.Table]) -> None:
        for k, t in tables.items():
            self.buf.setdefault(k, []).append(t)
            if k != "summary":
                self.extra_rows += t.num_rows
        self.rows += tables["summary"].num_rows
        if self.rows >= self.part_runs or self.extra_rows >= 500_000 or time.monotonic() - self.last >= self.flush_seconds:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            self.store.write({k: pa.concat_tables(v, promote_options="permissive") for k, v in self.buf.items()})
        self.buf.clear()
        self.rows = self.extra_rows = 0
        self.last = time.monotonic()


def _chunks(todo: np.ndarray, size: int) -> Iterator[list[int]]:
    for i in range(0, len(todo), size):
        yield todo[i : i + size].tolist()


def run_sweep(
    sweep: Sweep,
    out: str | Path,
    workers: int | None = None,
    backend: str = "local",
    address: str | None = None,
    chunk: int | None = None,
    part_runs: int = 10_000,
    flush_seconds: float = 10.0,
    progress: bool = True,
    dask_processes: bool = True,
    on_start: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Run every run of ``sweep`` not yet in ``out``; returns counts (runs done before, run now, errors).

    Resume is the same call: finished run ids are read from the committed
    summary parts and skipped. A KeyboardInterrupt writes what finished and
    re-raises. ``on_start(done_before, workers)`` is called once the output
    directory has been accepted.
    """
    if backend not in BACKENDS:
        raise ConfigError(f"--backend {backend!r} is not allowed; allowed: one of {', '.join(BACKENDS)}.")
    if workers is not None and workers < 1:
        raise ConfigError(f"--workers {workers} is not allowed; allowed: an integer >= 1.")
    from tqdm.auto import tqdm

    t0 = time.perf_counter()
    workers = workers or available_cores()
    client = cluster = None
    if backend == "dask":  # connect first: an unreachable scheduler must leave the output directory untouched
        client, cluster = _dask_connect(workers, address, dask_processes)
    try:
        store = Store.open(out, sweep)
    except BaseException:
        _close_dask(client, cluster)
        raise
    try:
        done = store.done_mask(sweep.n_runs)
        todo = np.flatnonzero(~done)
        before = int(done.sum())
        del done
        if on_start is not None:
            on_start(before, workers)  # the directory is accepted: say what will happen
        size = chunk or max(1, min(64, math.ceil(len(todo) / (workers * 8))))
        errors = 0
        ran = 0
        writer = _Writer(store, part_runs, flush_seconds)
        bar = tqdm(
            total=sweep.n_runs,
            initial=before,
            unit="run",
            desc=sweep.name,
            disable=not progress,
            mininterval=0.5,
            smoothing=0.05,
            file=sys.stderr,
        )
        try:
            if len(todo):
                chunks = _chunks(todo, size)
                results = _local_results(sweep, chunks, workers) if backend == "local" else _dask_results(sweep, chunks, workers, client)
                with contextlib.closing(results):  # stops the pool or the cluster whatever happens here
                    for c, tables in results:
                        writer.add(tables)
                        e = int(pc.sum(pc.is_valid(tables["summary"].column("error"))).as_py() or 0)
                        errors += e
                        ran += len(c)
                        bar.update(len(c))
                        if e:
                            bar.set_postfix(errors=errors, refresh=False)
        finally:
            writer.flush()  # what finished is kept, also on Ctrl-C
            bar.close()
    finally:
        store.close()
        _close_dask(client, cluster)
    return {
        "out": str(out),
        "n_runs": sweep.n_runs,
        "done_before": before,
        "ran": ran,
        "errors": errors,
        "seconds": time.perf_counter() - t0,
        "workers": workers,
        "backend": backend,
    }
