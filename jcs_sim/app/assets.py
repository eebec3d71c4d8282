"""Solara's browser assets, installed from the npm registry when the CDN cannot be reached.

Why: a Solara page loads its front end (the Vue/Vuetify app bundle,
require.js, Font Awesome) through the Solara server, which fetches each file
once from a public CDN and caches it in ``{sys.prefix}/share/solara/cdn``.
Classrooms behind a firewall, and this project's CI, reach package registries
but not that CDN; without the files the page stays blank. The same files are
npm packages, so ``npm pack`` (npm's own client, with its configured registry)
can fill the cache instead. Which packages and versions are needed is read
from the installed Solara's page template, so an upgrade of Solara cannot
leave a stale list here.

``python -m jcs_sim.app.assets`` installs them; ``jcs-sim viz`` does the same
when npm is available and the files are missing.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

__all__ = ["needed_packages", "cache_dir", "missing_packages", "install_packages", "ensure_assets", "AssetError"]

_CDN_REF = re.compile(r"\{\{\s*cdn\s*\}\}/((?:@[\w.-]+/)?[\w.-]+)@([\w.-]+)/")
_PATH_REF = re.compile(r"^/?((?:@[\w.-]+/)?[\w.-]+)@([\w.-]+)/")


class AssetError(RuntimeError):
    """The assets are missing and could not be installed; the message says why and what to do."""


def needed_packages() -> list[str]:
    """``name@version`` of every npm package the installed Solara's page loads from its CDN."""
    import solara.server.server as server
    import solara.server.settings as settings

    template = Path(server.__file__).parent / "templates" / "solara.html.j2"
    text = template.read_text(encoding="utf-8")
    specs = {f"{name}@{version}" for name, version in _CDN_REF.findall(text)}
    # The template carries both the Vue 2 and the Vue 3 app; only one is loaded, by ipyvue's major version.
    unused = "@widgetti/solara-vuetify-app@" if server.vue3 else "@widgetti/solara-vuetify3-app@"
    specs = {s for s in specs if not s.startswith(unused)}
    if settings.assets.fontawesome_enabled:
        m = _PATH_REF.match(settings.assets.fontawesome_path)
        if m:
            specs.add(f"{m.group(1)}@{m.group(2)}")
    return sorted(specs)


def cache_dir() -> Path:
    """Where the Solara server looks for CDN files before fetching them."""
    import solara.server.settings as settings

    return Path(settings.assets.proxy_cache_dir)


def missing_packages(root: Path | None = None) -> list[str]:
    root = root or cache_dir()
    return [spec for spec in needed_packages() if not (root / spec / "package.json").exists()]


def install_packages(specs: list[str], root: Path | None = None, log=None) -> None:
    """``npm pack`` each package and unpack it where the Solara server looks; raises AssetError."""
    root = root or cache_dir()
    npm = shutil.which("npm")
    if npm is None:
        raise AssetError(
            "npm is not installed, so Solara's browser assets cannot be fetched from the npm registry "
            "(install Node.js and npm, or give the machine access to Solara's CDN)."
        )
    for spec in specs:
        if log:
            log(f"fetching {spec} with npm pack")
        with tempfile.TemporaryDirectory() as tmp:
            try:
                done = subprocess.run(
                    [npm, "pack", spec, "--silent", "--pack-destination", tmp],
                    cwd=tmp,
                    capture_output=True,
                    text=True,
                    timeout=300,
                )
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise AssetError(f"`npm pack {spec}` did not complete: {exc}") from None
            tarballs = list(Path(tmp).glob("*.tgz"))
            if done.returncode != 0 or not tarballs:
                tail = " | ".join((done.stderr or done.stdout).strip().splitlines()[-3:])
                raise AssetError(f"`npm pack {spec}` failed (exit {done.returncode}): {tail}")
            target = root / spec
            staging = Path(tempfile.mkdtemp(dir=root.parent if root.parent.exists() else None))
            try:
                with tarfile.open(tarballs[0]) as tar:
                    tar.extractall(staging, filter="data")
                package = staging / "package"
                if not package.is_dir():
                    raise AssetError(f"`npm pack {spec}` gave a tarball without a package/ folder")
                target.parent.mkdir(parents=True, exist_ok=True)
                if target.exists():
                    shutil.rmtree(target)
                package.rename(target)
            finally:
                shutil.rmtree(staging, ignore_errors=True)


def ensure_assets(log=None) -> list[str]:
    """Install whatever is missing; returns what was installed (empty: nothing was missing)."""
    todo = missing_packages()
    if todo:
        install_packages(todo, log=log)
    return todo


if __name__ == "__main__":
    try:
        got = ensure_assets(log=lambda s: print(s, file=sys.stderr))
    except AssetError as exc:
        print(f"jcs_sim.app.assets: {exc}", file=sys.stderr)
        sys.exit(1)
    print(f"installed {', '.join(got)} into {cache_dir()}" if got else f"all of Solara's browser assets are in {cache_dir()}")
