"""Where a sweep's results live: a manifest, a points table and Parquet part files.

Why parts written atomically: a sweep may be killed at any moment (Ctrl-C,
``kill -9``, a lost machine). Each part is written to a hidden temporary file
and renamed into place, so a part either exists whole or not at all. The
summary part of a batch is renamed last: it is the commit record, and the set
of finished runs is read back from the summary parts alone. Optional outputs
(timelines, traces, responders) of a batch whose summary part never landed
are deleted on resume, so nothing is duplicated.

Layout of ``DIR``::

    manifest.json        the normalized sweep and its hash (what resume compares)
    points.parquet       one row per design point: condition and parameter values
    summary/part-NNNNNN.parquet     one row per run (always)
    timeline/, trace/, responders/  the same part numbers, when requested
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
import platform
import re
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from .._version import __version__
from ..config import ConfigError
from ..results import prepare_out_dir, write_atomic
from .design import OUTPUTS, Sweep

__all__ = ["Store", "read_manifest", "read_points", "read_summary", "read_output", "SUMMARY_TYPES", "MANIFEST"]

MANIFEST = "manifest.json"
POINTS = "points.parquet"
LOCK = ".lock"
PART = re.compile(r"^part-(\d{6,})\.parquet$")

# Column types of the summary table, so that parts agree even when a batch has only nulls in a column.
SUMMARY_TYPES: dict[str, pa.DataType] = {
    "run_id": pa.int64(), "point_id": pa.int64(), "rep": pa.int64(), "seed": pa.int64(),
    "error": pa.string(), "traceback": pa.string(), "version": pa.string(),
    "resolved": pa.bool_(), "censored": pa.bool_(), "minutes_simulated": pa.int64(),
    "time_to_detect": pa.int64(), "time_to_acknowledge": pa.int64(), "time_to_diagnose": pa.int64(), "time_to_mitigate": pa.int64(), "time_to_resolve": pa.int64(),
    "fault_type": pa.string(), "novel": pa.bool_(), "flapping": pa.bool_(), "detected_by": pa.string(), "root_cause": pa.string(), "second_cause": pa.string(), "root_cause_team": pa.string(),
    "first_alert": pa.string(), "first_alert_team": pa.string(), "fixed_by": pa.string(),
    "messages_sent": pa.int64(), "messages_read": pa.int64(), "messages_misread": pa.int64(), "pages": pa.int64(),
    "escalations": pa.int64(), "remediations": pa.int64(), "remediations_failed": pa.int64(), "remediations_wrong": pa.int64(),
    "decisions": pa.int64(), "workload_gini": pa.float64(),
}  # fmt: skip


def rows_to_table(rows: list[dict[str, Any]]) -> pa.Table:
    """Summary rows to a table: known columns typed, any new summary field inferred (kept, not dropped)."""
    names = list(SUMMARY_TYPES)
    for row in rows:
        names.extend(k for k in row if k not in SUMMARY_TYPES and k not in names)
    return pa.table({n: pa.array([r.get(n) for r in rows], type=SUMMARY_TYPES.get(n)) for n in names})


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    write_atomic(path, lambda tmp: tmp.write_bytes(data))


def _atomic_write_table(table: pa.Table, path: Path) -> None:
    write_atomic(path, lambda tmp: pq.write_table(table, tmp, compression="zstd"))


def _parts(folder: Path) -> dict[int, Path]:
    if not folder.is_dir():
        return {}
    return {int(m.group(1)): folder / name for name in os.listdir(folder) if (m := PART.match(name))}


def _changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Which parts of two normalized sweeps differ (for the refusal message)."""
    out = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        if key == "base" and isinstance(a, dict) and isinstance(b, dict):
            for sec in sorted(set(a) | set(b)):
                sa, sb = a.get(sec) or {}, b.get(sec) or {}
                if isinstance(sa, dict) and isinstance(sb, dict):
                    out += [f"base.{sec}.{k}" for k in sorted(set(sa) | set(sb)) if sa.get(k) != sb.get(k)]
                else:
                    out.append(f"base.{sec}")
        else:
            out.append(key)
    return out


class Store:
    """One sweep's output directory, held for writing (with a lock) or only read."""

    def __init__(self, out: str | Path) -> None:
        self.out = Path(out)
        self._lock_fd: int | None = None
        self.seq = 0
        self.kinds: tuple[str, ...] = ("summary",)

    # ----- opening for a run ------------------------------------------------
    @classmethod
    def open(cls, out: str | Path, sweep: Sweep) -> Store:
        """Create ``out`` for this sweep, or reopen it to resume; refuse a different sweep's directory."""
        store = cls(out)
        created = not store.out.exists()
        out = prepare_out_dir(store.out)
        had_lock = (out / LOCK).exists()
        try:
            store._refuse_foreign(sweep)  # before the lock file: a refused directory is left as it was
            store._lock()
            manifest_path = out / MANIFEST
            digest = sweep.digest()
            if manifest_path.exists():
                old = read_manifest(out)
                if old.get("sweep_hash") != digest:
                    changed = ", ".join(_changes(old.get("normalized", {}), sweep.normalized())) or "the design"
                    raise ConfigError(
                        f"{manifest_path}: {out} holds the results of a different sweep ({old.get('sweep_file', '?')}, "
                        f"hash {str(old.get('sweep_hash'))[:12]}); {sweep.where} hashes to {digest[:12]} (changed: {changed}). "
                        "Allowed: the unchanged sweep file (to resume), or a new --out directory."
                    )
            elif any(not n.startswith(".") for n in os.listdir(out)):
                raise ConfigError(
                    f"{out}: the directory is not empty and holds no sweep ({MANIFEST} is missing); "
                    "allowed: a new or empty directory (option --out), or one written by `jcs-sim sweep`."
                )
            if not (out / POINTS).exists():
                _atomic_write_table(pa.table(sweep.points()), out / POINTS)
            if not manifest_path.exists():
                _atomic_write_bytes(manifest_path, (json.dumps(store._manifest(sweep, digest), indent=1) + "\n").encode())
            store.kinds = tuple(k for k in OUTPUTS if k in sweep.outputs)
            for k in store.kinds:
                (out / k).mkdir(exist_ok=True)
            store._clean()
        except BaseException:
            store.close()
            if not had_lock:
                (out / LOCK).unlink(missing_ok=True)
            if created:
                with contextlib.suppress(OSError):
                    out.rmdir()  # only if still empty
            raise
        return store

    def _refuse_foreign(self, sweep: Sweep) -> None:
        """Raise unless ``out`` is new, empty, or holds this very sweep (checked again under the lock)."""
        out = self.out
        for name in (LOCK, MANIFEST, POINTS, *OUTPUTS):
            if (out / name).is_symlink():  # parts written through it would land outside the directory
                raise ConfigError(
                    f"{out / name}: is a symbolic link; allowed: a sweep directory whose files and folders are its own (option --out)."
                )
        if (out / MANIFEST).exists():
            return  # compared with the sweep under the lock
        if any(not n.startswith(".") for n in os.listdir(out)):
            raise ConfigError(
                f"{out}: the directory is not empty and holds no sweep ({MANIFEST} is missing); "
                "allowed: a new or empty directory (option --out), or one written by `jcs-sim sweep`."
            )

    @staticmethod
    def _manifest(sweep: Sweep, digest: str) -> dict[str, Any]:
        s = sweep.sample
        return {
            "format": 1,
            "sweep_name": sweep.name,
            "sweep_file": sweep.where,  # as given on the command line
            "sweep_hash": digest,
            "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
            "jcs_sim_version": __version__,
            "python": platform.python_version(),
            "n_points": sweep.n_points,
            "n_runs": sweep.n_runs,
            "n_cells": sweep.n_cells,
            "n_samples": sweep.n_samples,
            "replications": sweep.replications,
            "master_seed": sweep.master_seed,
            "common_random_numbers": sweep.common_random_numbers,
            "outputs": list(sweep.outputs),
            "factors": [{"name": f.name, "labels": list(f.labels)} for f in sweep.factors],
            "sample": None
            if s is None
            else {
                "method": s.method,
                "n": s.n,
                "names": list(s.names),
                "kinds": list(s.kinds),
                "bounds": [list(b) for b in s.bounds],
                "second_order": s.second_order,
                "levels": s.levels,
                "output": s.output,
                "problem": s.problem(),
            },
            "normalized": sweep.normalized(),
        }

    def _lock(self) -> None:
        try:
            import fcntl
        except ImportError:  # not POSIX: no lock, one writer is the user's promise
            return
        fd = os.open(self.out / LOCK, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)  # never truncate a link's target
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            other = os.read(fd, 32).decode(errors="replace").strip() or "?"
            os.close(fd)
            raise ConfigError(
                f"{self.out}: another `jcs-sim sweep` (pid {other}) is writing to this directory; allowed: one sweep process per directory."
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._lock_fd = fd

    def close(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # closing releases the flock; a killed process releases it too
            self._lock_fd = None

    def _clean(self) -> None:
        """Remove temporary files of a killed writer and optional parts whose summary part never landed."""
        committed = set(_parts(self.out / "summary"))
        for kind in OUTPUTS:
            folder = self.out / kind
            if not folder.is_dir():
                continue
            for name in os.listdir(folder):
                if name.startswith(".tmp-"):
                    (folder / name).unlink(missing_ok=True)
            if kind != "summary":
                for seq, path in _parts(folder).items():
                    if seq not in committed:
                        path.unlink(missing_ok=True)
        for name in os.listdir(self.out):
            if name.startswith(".tmp-"):
                (self.out / name).unlink(missing_ok=True)
        self.seq = max(committed, default=0)

    # ----- progress ----------------------------------------------------------------
    def done_mask(self, n_runs: int) -> np.ndarray:
        """A boolean per run id: true when its row is in a committed summary part."""
        done = np.zeros(n_runs, dtype=bool)
        for path in _parts(self.out / "summary").values():
            ids = pq.read_table(path, columns=["run_id"]).column("run_id").to_numpy()
            done[ids[ids < n_runs]] = True
        return done

    def write(self, tables: dict[str, pa.Table]) -> None:
        """Write one batch: optional outputs first, the summary part (the commit) last."""
        self.seq += 1
        name = f"part-{self.seq:06d}.parquet"
        for kind, table in tables.items():
            if kind != "summary" and kind in self.kinds:
                _atomic_write_table(table, self.out / kind / name)
        _atomic_write_table(tables["summary"], self.out / "summary" / name)


# ----- reading --------------------------------------------------------------------
def read_manifest(out: str | Path) -> dict[str, Any]:
    path = Path(out) / MANIFEST
    if not path.is_file():
        raise ConfigError(f"{out}: not a sweep directory ({MANIFEST} is missing); allowed: a directory written by `jcs-sim sweep`.")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, OSError) as exc:
        raise ConfigError(f"{path}: cannot read the manifest: {exc}.") from None


def read_points(out: str | Path) -> pa.Table:
    return pq.read_table(Path(out) / POINTS)


def read_output(out: str | Path, kind: str = "summary", columns: list[str] | None = None) -> pa.Table:
    """All committed parts of one output, concatenated (an empty table when there are none)."""
    folder = Path(out) / kind
    parts = [p for _, p in sorted(_parts(folder).items())]
    if kind != "summary":
        committed = set(_parts(Path(out) / "summary"))
        parts = [p for p in parts if int(PART.match(p.name).group(1)) in committed]
    if not parts:
        return pa.table({"run_id": pa.array([], pa.int64())})
    tables = []
    for p in parts:
        t = pq.read_table(p)
        if columns is not None:
            t = t.select([c for c in columns if c in t.column_names])
        tables.append(t)
    return pa.concat_tables(tables, promote_options="permissive")


def read_summary(out: str | Path, columns: list[str] | None = None) -> pa.Table:
    """One row per finished run, sorted by run id (duplicates, which resume never writes, dropped)."""
    t = read_output(out, "summary", None if columns is None else list(dict.fromkeys(["run_id", *columns])))
    if t.num_rows == 0:
        return t
    ids = t.column("run_id").to_numpy()
    order = np.argsort(ids, kind="stable")
    keep = np.ones(len(ids), dtype=bool)
    keep[1:] = ids[order][1:] != ids[order][:-1]
    return t.take(pa.array(order[keep]))
