"""End-to-end tests of the classroom app in headless Chromium (Debian's package, driven by Playwright).

The app is started exactly as a teacher starts it (``python -m jcs_sim viz
--port N``) in a subprocess; the tests load a preset, step the model and
check that the responders' network, the incident channel and the charts
change, that a bad value typed into a setting shows a message and breaks
nothing, and that replaying other seeds fills the histogram. A screenshot
goes to ``results/test-artifacts/``.

Chromium and Solara's front-end files are installed by the test setup when
missing (``tests/browser_setup.py``, :mod:`jcs_sim.app.assets`); under CI
these tests fail rather than skip when that is impossible.

``python tests/test_app_browser.py --docs docs/img`` retakes the screenshots
used in ``docs/teaching.md``.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from browser_setup import CHROMIUM_ARGS, in_ci, require_chromium  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "results" / "test-artifacts"
START_TIMEOUT = 90  # s: the first start imports solara and may install its front-end files
MAX_STEPS = 120  # steps to wait for the first message of a preset before giving up


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _require_assets() -> None:
    from jcs_sim.app.assets import AssetError, ensure_assets

    try:
        ensure_assets()
    except AssetError as exc:
        if in_ci():
            pytest.fail(f"CI is set, so the browser tests must run, but Solara's front-end files are missing: {exc}", pytrace=False)
        pytest.skip(f"!!!! BROWSER TESTS SKIPPED: Solara's front-end files are missing: {exc} !!!!")


class App:
    """``jcs-sim viz`` in a subprocess on a free port."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = ARTIFACTS / "viz-server.log"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self._log = self.log.open("w")
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "jcs_sim", "viz", "--port", str(self.port)],
            cwd=ROOT,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=env,
        )

    def wait(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"jcs-sim viz exited with {self.proc.returncode}:\n{self.log.read_text()}")
            try:
                with urllib.request.urlopen(self.url, timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.25)
        else:
            raise AssertionError(f"jcs-sim viz did not answer on {self.url} within {START_TIMEOUT} s:\n{self.log.read_text()}")
        printed = self.log.read_text()
        assert f"http://127.0.0.1:{self.port}/" in printed, f"the URL was not printed:\n{printed}"

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._log.close()


@pytest.fixture(scope="module")
def app():
    require_chromium()
    _require_assets()
    server = App()
    try:
        server.wait()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def page(app):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(require_chromium()), args=CHROMIUM_ARGS)
        pg = browser.new_page(viewport={"width": 1500, "height": 1000})
        errors: list[str] = []
        pg.on("pageerror", lambda exc: errors.append(str(exc)))
        started = time.monotonic()
        pg.goto(app.url)
        pg.wait_for_selector("[data-figure=network][data-drawn]", timeout=60_000)
        pg.first_render_s = time.monotonic() - started
        pg.js_errors = errors
        try:
            yield pg
        finally:
            browser.close()


# ----- helpers --------------------------------------------------------------
def minute(pg) -> int:
    text = pg.locator("[data-testid=status]").inner_text()
    return int(re.search(r"Minute (\d+)", text).group(1))


def step(pg) -> int:
    """Click Mesa's Step button and wait until the status and the network show the next minute."""
    from playwright.sync_api import expect

    before = minute(pg)
    pg.get_by_role("button", name="Step", exact=True).click()
    expect(pg.locator("[data-testid=status]")).to_contain_text(f"Minute {before + 1} ", timeout=10_000)
    expect(pg.locator("[data-figure=network]")).to_contain_text(f"at minute {before + 1} ", timeout=10_000)
    return before + 1


def texts(pg) -> dict[str, str]:
    return {
        "network": pg.locator("[data-figure=network]").inner_text(),
        "chat": pg.locator("[data-testid=chat]").inner_text(),
        "charts": pg.locator("[data-figure=charts]").inner_text(),
        "charts_svg": pg.locator("[data-figure=charts] svg.main-svg").first.inner_html(),
    }


def load_preset(pg, title: str) -> None:
    from playwright.sync_api import expect

    pg.get_by_role("button", name=title).click()
    expect(pg.locator(".jcs-preset-chosen")).to_contain_text(title, ignore_case=True, timeout=15_000)
    expect(pg.locator("[data-testid=status]")).to_contain_text("Minute 0 ", timeout=15_000)
    pg.wait_for_selector("[data-figure=network][data-drawn]", timeout=15_000)


# ----- tests ----------------------------------------------------------------
def test_first_render_is_quick_and_clean(page):
    assert page.first_render_s < 30, f"first render took {page.first_render_s:.1f} s"
    for name in ("network", "services", "charts", "histogram"):
        assert page.locator(f"[data-figure={name}] svg.main-svg").count() > 0, f"{name} figure not drawn"
    assert not page.js_errors, page.js_errors


def test_preset_then_steps_change_network_chat_and_charts(page):
    load_preset(page, "The failover story")
    assert "failover" in page.locator(".jcs-story").first.inner_text().lower()
    start = texts(page)
    assert "No messages yet" in start["chat"]
    for _ in range(MAX_STEPS):
        step(page)
        if texts(page)["chat"] != start["chat"]:
            break
    else:
        pytest.fail(f"no message in the incident channel after {MAX_STEPS} steps of the failover story")
    for _ in range(3):  # a few more minutes: the conversation moves on
        step(page)
    end = texts(page)
    assert end["network"] != start["network"], "the responders' network did not change"
    assert end["chat"] != start["chat"] and "No messages yet" not in end["chat"], "the incident channel did not change"
    assert end["charts"] != start["charts"] and end["charts_svg"] != start["charts_svg"], "the charts did not change"
    assert re.search(r"(to the channel|DM to|page to)", end["chat"]), end["chat"]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "app_failover_after_steps.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    assert not page.js_errors, page.js_errors


def test_invalid_value_shows_a_message_and_nothing_breaks(page):
    from playwright.sync_api import expect

    now = minute(page)
    field = page.get_by_label("Familiarity within a team")
    field.fill("2.5")
    field.press("Enter")
    error = page.locator(".jcs-error")
    expect(error).to_be_visible(timeout=10_000)
    expect(error).to_contain_text("relationships.within_team")
    expect(error).to_contain_text("a number from 0 to 1")
    assert minute(page) == now, "a rejected value must not rebuild the model"
    step(page)  # the running model is untouched and still steps
    field.fill("0.9")
    field.press("Enter")  # a good value: accepted, the message goes, the model is rebuilt
    expect(error).to_have_count(0, timeout=10_000)
    expect(page.locator("[data-testid=status]")).to_contain_text("Minute 0 ", timeout=10_000)
    seed = page.get_by_label("Seed")
    seed.fill("minus one")
    seed.press("Enter")
    expect(page.locator(".jcs-error")).to_contain_text("not an integer", timeout=10_000)
    assert not page.js_errors, page.js_errors


def test_why_panel_and_replayed_seeds(page):
    from playwright.sync_api import expect

    load_preset(page, "The default incident")
    for _ in range(12):
        step(page)
    why = page.locator("[data-testid=why]")
    expect(why).to_contain_text("chose to", timeout=10_000)
    expect(why).to_contain_text("Over ")  # the runners-up and what separated them
    page.get_by_role("button", name="Run 50 more seeds").click()
    expect(page.locator("[data-figure=histogram]")).to_contain_text("over 50 other seeds", timeout=60_000)
    assert not page.js_errors, page.js_errors


# ----- screenshots for docs/teaching.md --------------------------------------
def take_doc_screenshots(out: Path) -> list[Path]:
    """Retake the teaching page's screenshots with the same server and browser setup as the tests."""
    from playwright.sync_api import sync_playwright

    require_chromium()
    out.mkdir(parents=True, exist_ok=True)
    server = App()
    shots = []
    try:
        server.wait()
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(require_chromium()), args=CHROMIUM_ARGS)
            pg = browser.new_page(viewport={"width": 1440, "height": 900})
            pg.goto(server.url)
            pg.wait_for_selector("[data-figure=network][data-drawn]", timeout=60_000)
            plan = [
                ("app_default_start.png", "The default incident", 0, None),
                ("app_failover.png", "The failover story", 34, None),
                ("app_3am.png", "The 3AM page to a stranger", 55, None),
                ("app_big.png", "A big incident with too many people", 30, None),
            ]
            for name, title, steps, _ in plan:
                load_preset(pg, title)
                for _ in range(steps):
                    step(pg)
                time.sleep(0.8)
                shots.append(_shot(pg, out / name))
            # The lower half of the page after a replay: channel, charts, why?, histogram.
            load_preset(pg, "The failover story")
            for _ in range(40):
                step(pg)
            pg.get_by_label("Reveal the root cause").check()
            pg.get_by_role("button", name="Run 50 more seeds").click()
            pg.locator("[data-figure=histogram]").filter(has_text="over 50 other seeds").wait_for(timeout=60_000)
            time.sleep(0.8)
            pg.locator("[data-testid=why]").scroll_into_view_if_needed()
            time.sleep(0.5)
            shots.append(_shot(pg, out / "app_why_and_histogram.png"))
            browser.close()
    finally:
        server.stop()
    return shots


def _shot(pg, path: Path) -> Path:
    """A PNG under 300 KB: a JPEG-like palette is not available, so shrink the viewport scale until it fits."""
    pg.screenshot(path=str(path))
    if path.stat().st_size > 300_000:
        from PIL import Image

        img = Image.open(path).convert("RGB")
        img = img.quantize(colors=128, method=Image.Quantize.MEDIANCUT)
        img.save(path, optimize=True)
    return path


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--docs":
        for p in take_doc_screenshots(Path(sys.argv[2])):
            print(f"{p} ({p.stat().st_size // 1024} KB)")
    else:
        sys.exit(f"usage: {sys.argv[0]} --docs OUTDIR   (or run the tests with pytest)")
