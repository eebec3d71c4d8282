"""Find, or install, the headless Chromium that the browser tests drive.

Why Debian's ``chromium`` package and not ``playwright install``: CI runs on a
clean Debian machine as root, and a browser downloaded by Playwright at test
time is one more thing fetched from outside that can change under us. The
package manager gives a pinned, signed build; Playwright drives it through
``executable_path``.

Policy when the browser cannot be had:
  - ``CI`` set (``true``/``1``/``yes``): the tests FAIL. A browser test that CI
    silently skips is a test that rots (see shared/STYLE.md).
  - otherwise (a developer's machine): the tests skip with a loud reason that
    says how to install it.

Run it directly to install ahead of a test run: ``python tests/browser_setup.py``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "ensure_chromium", "in_ci", "BrowserUnavailable"]

CHROMIUM = Path("/usr/bin/chromium")
# Flags for a quiet, sandbox-free headless run in a container: no GPU, no
# background network traffic (updates, sync, QUIC), no first-run dialogs.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INSTALL_HINT = "install it with `apt-get update && apt-get install -y chromium` (as root), or run `python tests/browser_setup.py`"


class BrowserUnavailable(RuntimeError):
    """Chromium is missing and could not be installed; the message says why."""


def in_ci() -> bool:
    """Whether we run under CI (``CI`` set to a true-ish value, as GitHub Actions and .ci/run do)."""
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes", "on")


def _install() -> None:
    """``apt-get update && apt-get install -y chromium``; raises BrowserUnavailable with the reason."""
    apt = shutil.which("apt-get")
    if apt is None:
        raise BrowserUnavailable(f"{CHROMIUM} is missing and this machine has no apt-get; {INSTALL_HINT}")
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        raise BrowserUnavailable(f"{CHROMIUM} is missing and installing it needs root (we run as uid {os.geteuid()}); {INSTALL_HINT}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for cmd in ([apt, "update"], [apt, "install", "-y", "chromium"]):
        print("browser_setup: running " + " ".join(cmd), file=sys.stderr, flush=True)
        try:
            done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise BrowserUnavailable(f"`{' '.join(cmd)}` did not complete: {exc}; {INSTALL_HINT}") from None
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
            raise BrowserUnavailable(f"`{' '.join(cmd)}` failed (exit {done.returncode}): {' | '.join(tail)}; {INSTALL_HINT}")


def ensure_chromium() -> Path:
    """Return the Chromium executable, installing Debian's package if it is missing.

    Raises BrowserUnavailable when it cannot be had; callers decide whether that
    is a skip (a developer's machine) or a failure (CI), see :func:`require_chromium`.
    """
    if CHROMIUM.exists():
        return CHROMIUM
    _install()
    if not CHROMIUM.exists():
        raise BrowserUnavailable(f"apt-get installed 'chromium' but {CHROMIUM} is still missing; {INSTALL_HINT}")
    return CHROMIUM


def require_chromium() -> Path:
    """For pytest: the Chromium path, or fail (under CI) / skip loudly (elsewhere) when it cannot be had."""
    import pytest

    try:
        return ensure_chromium()
    except BrowserUnavailable as exc:
        if in_ci():
            pytest.fail(f"CI is set, so the browser tests must run, but Chromium is unavailable: {exc}", pytrace=False)
        banner = "!" * 20
        pytest.skip(f"{banner} BROWSER TESTS SKIPPED: Chromium is unavailable: {exc} {banner}")


if __name__ == "__main__":
    try:
        print(ensure_chromium())
    except BrowserUnavailable as exc:
        print(f"browser_setup: {exc}", file=sys.stderr)
        sys.exit(1)
