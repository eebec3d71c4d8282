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

from pathlib import Path

import ipyvue
import traitlets

__all__ = ["PlotlyView", "PLOTLY_ASSET", "plotly_asset_dir", "CSS"]

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
  data() { return { failed: "" }; },
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
    draw() {
      let fig;
      try { fig = JSON.parse(this.figure_json || "{}"); } catch (e) { this.failed = "bad figure: " + e; return; }
      this.plotly()
        .then((P) => P.react(this.$refs.plot, fig.data || [], fig.layout || {}, {displaylogo: false, responsive: true}))
        .then(() => { this.failed = ""; this.$el.setAttribute("data-drawn", String((+this.$el.getAttribute("data-drawn") || 0) + 1)); })
        .catch((e) => { this.failed = "Could not draw the figure: " + e; });
    },
  },
};
</script>
""".replace("__ASSET__", PLOTLY_ASSET)


class PlotlyView(ipyvue.VueTemplate):
    """A plotly figure, drawn in the browser from its JSON (``fig.to_json()``)."""

    template = traitlets.Unicode(_TEMPLATE).tag(sync=True)
    figure_json = traitlets.Unicode("{}").tag(sync=True)
    name = traitlets.Unicode("").tag(sync=True)


CSS = """
.jcs-card { border: 1px solid #e3e7ec; border-radius: 6px; padding: 6px 8px; background: white; margin-bottom: 10px; }
.jcs-card h3 { font-size: 15px; margin: 2px 0 6px 0; }
.jcs-plot { width: 100%; }
.jcs-plot-error { color: #b00020; font-size: 13px; }
.jcs-status { font-size: 14px; margin: 4px 0 10px 0; }
.jcs-story { font-size: 14px; color: #333; margin: 0 0 4px 0; }
.jcs-chat { height: 390px; overflow-y: auto; display: flex; flex-direction: column-reverse;
            font-size: 13px; font-family: "DejaVu Sans", Arial, sans-serif; }
.jcs-msg { padding: 3px 6px; border-bottom: 1px solid #f0f0f0; }
.jcs-msg .jcs-min { color: #888; font-family: monospace; }
.jcs-msg .jcs-role { color: #888; font-size: 11px; }
.jcs-msg .jcs-route { font-size: 11px; }
.jcs-msg .jcs-text { margin-left: 2.4em; }
.jcs-misread { background: #fdecea; border-left: 4px solid #d62728; }
.jcs-understood { margin-left: 2.4em; color: #a11; font-size: 12px; }
.jcs-chat-empty, .jcs-chat-more { color: #888; padding: 6px; }
.jcs-why { white-space: pre-wrap; font-size: 12px; font-family: "DejaVu Sans Mono", monospace; background: #f7f8fa;
           padding: 6px; border-radius: 4px; max-height: 330px; overflow-y: auto; margin: 0; }
/* Mesa's "Model Parameters" card stays empty here (the settings have their own card): hide it. */
.v-navigation-drawer .v-sheet > .v-card:nth-child(2):not(:has(input)) { display: none; }
.jcs-hint { font-size: 12px; color: #666; margin: 0 0 8px 0; }
"""
