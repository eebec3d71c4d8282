"""Write examples/history_github_2025.csv: GitHub's public status-page incidents of 2025 as a jcs-sim history.

Why this data: a worked calibration on real incidents needs durations that
anyone can check and a licence that lets them be shipped. The source is
``parsed/incidents.jsonl`` of https://github.com/mrshu/github-statuses
(MIT licence, copyright 2022 Marek Šuppa; see examples/history_github_2025.md),
which reconstructs every incident of GitHub's status page
(https://www.githubstatus.com) from its Atom feed history. It was read at
commit becbfc2162034688ae89c818c7316ebca00f3a56 (2026-08-22). The command,
from the repository root, with that file saved locally::

    python examples/make_history_github.py incidents.jsonl

keeps the incidents that started in 2025 (UTC), leaves out scheduled
maintenance (impact ``maintenance`` or a ``Scheduled`` status), and writes
one row per incident:

- ``duration_min``: the source's ``duration_minutes``, from the first public
  post (``started_at``) to ``Resolved`` (``resolved_at``). Every 2025
  incident is resolved, so there is no ``open`` column.
- ``severity``: the status page's impact, ``minor`` (and ``none``, 10 rows) 1,
  ``major`` 2, ``critical`` 3.

What is not there: phase times (the feed labels most updates ``Update``;
``Monitoring``, the nearest to "mitigated", appears in few incidents), the
hour in the responders' own time zone, and the teams involved (the
``components`` are GitHub's services, not its teams).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "history_github_2025.csv"
YEAR = "2025"
SEVERITY = {"none": 1, "minor": 1, "major": 2, "critical": 3}


def rows(lines: list[str]) -> list[tuple[int, int]]:
    """(duration_min, severity) of each unplanned 2025 incident, in the source's order."""
    out = []
    for line in lines:
        if not line.strip():
            continue
        r = json.loads(line)
        if not r["started_at"].startswith(YEAR) or r.get("impact") == "maintenance" or "Scheduled" in r["status_sequence"]:
            continue
        if r["resolved_at"] is None or r["duration_minutes"] is None:
            raise SystemExit(f"incident {r['id']} has no resolution time; this script expects every {YEAR} incident resolved")
        out.append((int(r["duration_minutes"]), SEVERITY[r.get("impact") or "none"]))
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python examples/make_history_github.py PATH/TO/incidents.jsonl", file=sys.stderr)
        return 2
    found = rows(Path(argv[0]).read_text(encoding="utf-8").splitlines())
    OUT.write_text("duration_min,severity\n" + "".join(f"{d},{s}\n" for d, s in found), encoding="utf-8")
    print(f"wrote {len(found)} incidents to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
