"""``jcs-sim viz [CONFIG] [--port N] [--host H]``: serve the classroom app and print its address.

Only argparse declarations happen at import (``jcs-sim run`` must stay fast);
solara, uvicorn and the page are imported by the handler. The app is served
the way Solara documents for self-hosting: its Starlette application
(``solara.server.starlette:app``) under uvicorn, with ``SOLARA_APP`` naming
the page. It binds to 127.0.0.1 unless ``--host`` says otherwise: a class
opens it on the teacher's machine, and nothing is exposed by accident.

Nothing is fetched at page load from outside the machine: Solara's
telemetry is off, plotly.js is served from plotly's own package, and Solara's
front end is installed once from the npm registry into Solara's asset cache
when it is missing (:mod:`jcs_sim.app.assets`).
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import warnings
from pathlib import Path

from ..config import ConfigError, load_for_mode

__all__ = ["register", "serve", "APP"]

APP = "jcs_sim.app.app:Page"
DEFAULT_PORT = 8765


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer; allowed: a port from 0 to 65535 (0: any free port)") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is out of range; allowed: a port from 0 to 65535 (0: any free port)")
    return value


def register(subparsers) -> None:
    """Add the ``viz`` subcommand (argparse declarations only)."""
    p = subparsers.add_parser("viz", help="open the classroom app in a browser: watch a team think together")
    p.add_argument("config", nargs="?", help="TOML config the presets start from (default: the built-in scenario)")
    p.add_argument("--port", type=_port, default=DEFAULT_PORT, help=f"port to serve on (default {DEFAULT_PORT}; 0 picks a free one)")
    p.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default 127.0.0.1, this machine only; 0.0.0.0 for a classroom network)"
    )
    p.set_defaults(func=_cmd_viz)


def _cmd_viz(args: argparse.Namespace) -> int:
    # A bad config is reported here, as one line, before anything is served; so is a key the app would ignore,
    # and a bad organisation file (built once, as `jcs-sim run` builds it: the app stages the same people).
    cfg = load_for_mode(args.config, [], "run")
    if cfg["organisation"]["file"]:
        from ..organisation import incident_model

        incident_model(cfg, seed=0, record_trace=False)
    serve(args.config, args.host, args.port)
    return 0


def _bindable(host: str, port: int) -> int:
    """The port to use (a free one for 0); a ConfigError if it is taken or the host cannot be bound."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as exc:
            if port:
                raise ConfigError(
                    f"cannot serve on {host}:{port} ({exc.strerror}); choose another with --port (0 picks a free one)."
                ) from None
            raise ConfigError(f"cannot bind {host} ({exc.strerror}); check --host.") from None
        return s.getsockname()[1]


def serve(config: str | None, host: str = "127.0.0.1", port: int = DEFAULT_PORT) -> None:
    """Serve the app until interrupted (blocks). Prints the URL first."""
    port = _bindable(host, port)
    os.environ["SOLARA_APP"] = APP
    if config:
        os.environ["JCS_SIM_VIZ_CONFIG"] = str(Path(config).resolve())
    else:
        os.environ.pop("JCS_SIM_VIZ_CONFIG", None)
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    import solara.server.settings as settings
    import uvicorn

    from .widgets import plotly_asset_dir

    # Solara warns that samesite=none cookies need https; on a plain-http classroom server it falls back to lax, which is what we want.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    settings.telemetry.mixpanel_enable = False
    settings.main.mode = "production"
    settings.theme.show_banner = False  # Solara's "This website runs on Solara" badge covered the pictures' corner
    asset_dir = str(plotly_asset_dir())
    if asset_dir not in settings.assets.extra_locations:
        settings.assets.extra_locations.append(asset_dir)
    from .assets import AssetError, ensure_assets

    try:
        got = ensure_assets(log=lambda line: print(f"jcs-sim viz: {line}", flush=True))
    except AssetError as exc:
        print(
            f"jcs-sim viz: warning: Solara's browser assets are not installed ({exc}); the page will fetch them from Solara's CDN.",
            flush=True,
        )
    else:
        if got:
            print(f"jcs-sim viz: installed Solara's browser assets {', '.join(got)}", flush=True)
    from solara.server.starlette import app  # reads SOLARA_APP

    shown = f"[{host}]" if ":" in host else host
    print(f"jcs-sim viz: the classroom app is at http://{shown}:{port}/  (Ctrl-C stops it)", flush=True)
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning")
    except KeyboardInterrupt:
        pass
    sys.stdout.flush()
