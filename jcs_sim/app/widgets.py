"""A plotly figure in a Solara page without a network connection, and the page's styles.

Why not ``solara.FigurePlotly``: it needs plotly's ``FigureWidget``, which
needs the ``anywidget`` package (not a dependency of jcs-sim), and a
classroom network may not reach a CDN. Instead a tiny Vue template receives
the figure as JSON and draws it with ``Plotly.react``, loading plotly.js once
per page from plotly's own Python package, which ``jcs-sim viz`` serves as a
static asset (:data:`PLOTLY_ASSET`). ``Plotly.react`` redraws in place, so a
step costs one JSON message per figure, and the reader's zoom survives
(``uirevision``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import ipyvue
import traitlets

__all__ = ["PlotlyView", "ChatView", "PLOTLY_ASSET", "plotly_asset_dir", "figure_json", "CSS"]

PLOTLY_ASSET = "plotly.min.js"


def plotly_asset_dir() -> Path:
    """The folder of plotly's bundled plotly.min.js (served under /static/assets/ by ``jcs-sim viz``)."""
    import plotly

    return Path(plotly.__file__).parent / "package_data"


_TEMPLATE = """
<template>
  <div class="jcs-figure" :data-figure="name">
    <div ref="plot" class="jcs-plot"></div>
    <div v-if="failed" class="jcs-plot-error">{{ failed }}</div>
  </div>
</template>
<script>
module.exports = {
  data() { return { failed: "", busy: false, dirty: false, hooked: false }; },
  mounted() { this.draw(); },
  watch: { figure_json() { this.draw(); } },
  methods: {
    plotly() {
      if (window.Plotly) return Promise.resolve(window.Plotly);
      if (!window.jcsPlotly) {
        const root = (window.solara && window.solara.rootPath) || "";
        const url = root + "/static/assets/__ASSET__";
        window.jcsPlotly = new Promise((resolve, reject) => {
          if (window.requirejs) {
            // plotly.js registers itself as an AMD module when require.js is on the page
            window.requirejs([url], (P) => resolve(P || window.Plotly), reject);
          } else {
            const s = document.createElement("script");
            s.src = url;
            s.onload = () => resolve(window.Plotly);
            s.onerror = () => reject(new Error("cannot load " + url));
            document.head.appendChild(s);
          }
        });
      }
      return window.jcsPlotly;
    },
    // No plotly toolbar (modebar): on hover it covered the figures' titles (issue 13); drag to zoom and
    // double-click to zoom back still work.
    draw() {
      // One draw at a time: figures that arrive while one is drawn are coalesced into the newest,
      // so a browser slower than the play speed skips minutes instead of falling further behind.
      if (this.busy) { this.dirty = true; return; }
      this.busy = true;
      let fig;
      try { fig = JSON.parse(this.figure_json || "{}"); } catch (e) { this.failed = "bad figure: " + e; this.busy = false; return; }
      this.plotly()
        .then((P) => P.react(this.$refs.plot, fig.data || [], fig.layout || {}, {displaylogo: false, displayModeBar: false, responsive: true}))
        .then(() => {
          this.failed = "";
          this.hook();
          this.$el.setAttribute("data-drawn", String((+this.$el.getAttribute("data-drawn") || 0) + 1));
        })
        .catch((e) => { this.failed = "Could not draw the figure: " + e; })
        .then(() => { this.busy = false; if (this.dirty) { this.dirty = false; this.draw(); } });
    },
    hook() {
      // A click on a point goes back to Python as the `clicked` trait (x, and the point's customdata).
      if (this.hooked || !this.$refs.plot.on) return;
      this.hooked = true;
      this.$refs.plot.on("plotly_click", (ev) => {
        const p = ev && ev.points && ev.points[0];
        if (!p) return;
        this.clicked = { x: p.x, custom: p.customdata === undefined ? null : p.customdata, at: Date.now() };
      });
    },
  },
};
</script>
""".replace("__ASSET__", PLOTLY_ASSET)


def _plain(value: Any) -> Any:
    """numpy scalars and arrays (in a figure spec) as the Python values JSON knows."""
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"cannot send a {type(value).__name__} in a figure")


def figure_json(spec: dict[str, Any]) -> str:
    """A figure spec (``{"data": [...], "layout": {...}}``) as the JSON the browser draws."""
    return json.dumps(spec, default=_plain, separators=(",", ":"))


class PlotlyView(ipyvue.VueTemplate):
    """A plotly figure, drawn in the browser from its JSON (``fig.to_json()``)."""

    template = traitlets.Unicode(_TEMPLATE).tag(sync=True)
    figure_json = traitlets.Unicode("{}").tag(sync=True)
    name = traitlets.Unicode("").tag(sync=True)
    clicked = traitlets.Dict({}).tag(sync=True)  # the last clicked point: {"x", "custom", "at"}


_CHAT_TEMPLATE = """
<template>
  <div :class="short ? 'jcs-chat jcs-chat-short' : 'jcs-chat'" data-testid="chat" v-html="chat_html" @click="onClick"></div>
</template>
<script>
module.exports = {
  methods: {
    onClick(ev) {
      // A click on a "What if read right?" button goes back to Python as the `asked` trait.
      const b = ev.target && ev.target.closest && ev.target.closest(".jcs-readright");
      if (b) { this.asked = { reader: +b.dataset.reader, message: +b.dataset.message, at: Date.now() }; return; }
      // A click elsewhere on a misreading's line goes back to its minute (the `selected` trait).
      const u = ev.target && ev.target.closest && ev.target.closest(".jcs-understood[data-minute]");
      if (u) this.selected = { minute: +u.dataset.minute, at: Date.now() };
    },
  },
};
</script>
"""


class ChatView(ipyvue.VueTemplate):
    """The incident channel as HTML, with its "What if read right?" buttons.

    Why a template and not ``solara.HTML``: the channel is one block of HTML
    redrawn every minute (a Solara button per misreading would be hundreds
    of widgets), and HTML cannot call Python. One click handler on the block
    sends the clicked button's reader and message back as ``asked``, and a
    click on a misreading's line its minute as ``selected``.
    """

    template = traitlets.Unicode(_CHAT_TEMPLATE).tag(sync=True)
    chat_html = traitlets.Unicode("").tag(sync=True)
    short = traitlets.Bool(False).tag(sync=True)  # less height: a what-if answer is shown above the channel
    asked = traitlets.Dict({}).tag(sync=True)  # the last button clicked: {"reader", "message", "at"}
    selected = traitlets.Dict({}).tag(sync=True)  # the last misreading's line clicked: {"minute", "at"}


CSS = """
/* Sized for a 1280x720 projector: everything on one screen, body text 15 px and up. */
.jcs-page { font-size: 15px; font-family: "DejaVu Sans", Arial, sans-serif; width: 100%; min-width: 0; max-width: 100vw; overflow-x: hidden; }
.jcs-page > * { min-width: 0; }
.jcs-bar { padding: 4px 8px 0 8px; }
.jcs-page .v-btn { text-transform: none; letter-spacing: normal; font-size: 14px; }
.jcs-speed-label { font-size: 14px; color: #555; margin-left: 6px; }
.jcs-speed .v-btn { min-width: 40px !important; padding: 0 6px !important; }
/* Two columns that may shrink below a plot's default width (min-width 0), so nothing runs off the screen. */
.jcs-main { display: grid; grid-template-columns: minmax(0, 11fr) minmax(0, 10fr); gap: 6px; padding: 0 6px; }
.jcs-main > div { min-width: 0; overflow: hidden; }
.jcs-card { border: 1px solid #e3e7ec; border-radius: 6px; padding: 4px 6px; background: white; margin-bottom: 6px; }
.jcs-card h3 { font-size: 16px; margin: 2px 0 4px 0; }
.jcs-tabs .v-btn { text-transform: none; letter-spacing: normal; font-size: 15px; }
.jcs-plot { width: 100%; }
.jcs-plot-error { color: #b00020; font-size: 14px; }
/* At most two lines (the tail, a headcount, is cut first): a third would push the pictures off a 720 px screen. */
.jcs-status { font-size: 15px; margin: 0 0 0 8px; flex: 1; min-width: 0; display: -webkit-box; -webkit-line-clamp: 2;
              -webkit-box-orient: vertical; overflow: hidden; }
.jcs-org { flex: 1 1 0; min-width: 120px; font-size: 12px; line-height: 15px; color: #1a4f8b; text-align: right; }
.jcs-org > div { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.jcs-story { font-size: 13px; color: #444; margin: 2px 8px 4px 8px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.jcs-chat { height: 420px; overflow-y: auto; display: flex; flex-direction: column-reverse; font-size: 15px; }
.jcs-msg { padding: 3px 6px; border-bottom: 1px solid #f0f0f0; }
.jcs-msg .jcs-min { color: #777; }
.jcs-msg .jcs-role { color: #777; font-size: 13px; }
.jcs-msg .jcs-route { font-size: 13px; }
.jcs-msg .jcs-text { margin-left: 2.4em; }
.jcs-misread { background: #fdecea; border-left: 4px solid #d62728; }
.jcs-understood { margin-left: 2.4em; color: #a11; font-size: 14px; cursor: pointer; }
.jcs-understood:hover { text-decoration: underline dotted; }
.jcs-chat-empty, .jcs-chat-more { color: #777; padding: 6px; }
/* The Why? panel fits below its timeline at 1280x720 without scrolling (issue 13): the other options in two columns of
   one line each; while one is open it is shown alone, without the context lines, so its numbers fit too. */
.jcs-why { font-size: 15px; line-height: 1.3; background: #f7f8fa; padding: 4px 8px; border-radius: 4px;
           max-height: 300px; overflow-y: auto; margin: 0; }
.jcs-why p { margin: 0 0 4px 0; }
.jcs-reveal { margin: 0 !important; padding: 0 !important; }
.jcs-reveal .v-input__details, .jcs-reveal .v-messages { display: none; }
.jcs-why-noise { color: #8b0000; font-weight: bold; }
.jcs-why-options { columns: 2; column-gap: 12px; }
.jcs-why details { margin: 0 0 1px 0; break-inside: avoid; }
/* An option's line: its label is cut with an ellipsis if it must be, never how far behind it is. */
.jcs-why summary { cursor: pointer; white-space: nowrap; overflow: hidden; }
.jcs-why-label { display: inline-block; max-width: calc(100% - 7.4em); overflow: hidden; text-overflow: ellipsis;
                 white-space: nowrap; vertical-align: bottom; font-weight: 600; }
.jcs-why-gap { font-size: 13px; color: #555; }
.jcs-why-noisy summary { color: #8b0000; }
.jcs-why-more > summary { color: #1a4f8b; }
.jcs-why-more[open] { column-span: all; columns: 2; column-gap: 12px; }
.jcs-why:has(details.jcs-why-option[open]) .jcs-why-options,
.jcs-why:has(details.jcs-why-option[open]) .jcs-why-more { columns: 1; }
.jcs-why:has(details.jcs-why-option[open]) details.jcs-why-option:not([open]),
.jcs-why:has(details.jcs-why-option[open]) .jcs-why-more > summary,
.jcs-why:has(details[open]) .jcs-why-context,
.jcs-why:has(details[open]) .jcs-why-others,
.jcs-why:has(details[open]) .jcs-why-noise,
.jcs-why:has(details[open]) .jcs-why-margin { display: none; }
.jcs-why-reason { font-size: 14px; margin: 2px 0 2px 1.2em !important; }
.jcs-why-table { border-collapse: collapse; margin: 0 0 2px 1.2em; font-size: 13px; line-height: 1.25; }
.jcs-why-table td, .jcs-why-table th { padding: 0 8px; border-bottom: 1px solid #e3e7ec; text-align: left; white-space: nowrap; }
.jcs-why-controls { margin: 0 !important; }
.jcs-settings { margin: 4px 8px; }
.jcs-settings-grid { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); column-gap: 12px; }
.jcs-scrub-slider { width: 330px; }
.jcs-scrub-slider .v-input__details, .jcs-scrub-slider .v-messages { display: none; }
.jcs-kinds .v-btn { min-width: 0 !important; padding: 0 8px !important; }
/* One line (a second pushed the network's legend below a 720 px screen): cut with an ellipsis, the whole line in its tooltip. */
.jcs-looking-back { font-size: 14px; background: #fff6d6; border-left: 4px solid #e0a800; padding: 2px 8px; margin: 0 8px 2px 8px;
                    white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.jcs-aftermath-box { font-size: 14px; background: #fdecea; border-left: 4px solid #d62728; padding: 3px 8px; margin: 0 0 4px 0;
                     max-height: 120px; overflow-y: auto; }
.jcs-aftermath { display: block; margin-bottom: 3px; }
.jcs-aftermath-box + h3 + .jcs-chat { height: 290px; }
.jcs-hint { font-size: 14px; color: #555; margin: 0 0 6px 0; }
.jcs-readright { margin-left: 8px; font-size: 13px; color: #a11; background: white; border: 1px solid #d62728; border-radius: 4px;
                 padding: 0 6px; cursor: pointer; }
.jcs-readright:hover { background: #fdecea; }
/* While a "What if read right?" answer is shown it takes most of the channel's room: the answer of the lesson plan's example
   fits without scrolling at 1280x720, and the channel keeps the misread message in view below it. */
.jcs-chat.jcs-chat-short { height: 125px; }
.jcs-whatif-box { font-size: 14px; line-height: 1.3; background: #eef6ee; border-left: 4px solid #2e7d32; padding: 3px 8px;
                  margin: 0 0 4px 0; max-height: 292px; overflow-y: auto; }
.jcs-whatif-box p { margin: 0 0 3px 0; }
.jcs-whatif-box .jcs-whatif-close { float: right; margin: 0 0 0 6px; height: 20px !important; }
.jcs-whatif-box .jcs-hint { font-size: 13px; margin: 0; }
.jcs-whatif-table { border-collapse: collapse; margin: 2px 0 4px 0; font-size: 14px; }
.jcs-whatif-table td, .jcs-whatif-table th { padding: 1px 8px; border-bottom: 1px solid #d7e3d7; text-align: left; }
"""
