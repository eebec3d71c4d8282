"""The classroom app: ``jcs-sim viz`` serves a page that shows a team think together.

Modules, in dependency order: ``presets`` (scenarios and settings as
``--set`` overrides on the one config schema; the per-session
:class:`~jcs_sim.app.presets.Lesson`), ``components`` (the responders'
network and the service graph as plotly figures), ``charts`` (live charts,
time-to-resolve histogram), ``channel`` (the incident channel, the "why?"
panel's rows), ``widgets`` (a plotly figure in a Solara page, styles),
``app`` (the page: Mesa's SolaraViz around those pictures), ``assets``
(Solara's front-end files), ``cli`` (the ``viz`` subcommand).

Nothing is imported here: ``jcs-sim run`` loads only ``cli``'s argparse
declarations, and the model never imports the app.
"""
