"""The classroom app: ``jcs-sim viz`` serves a page that shows a team think together.

Modules, in dependency order: ``core`` (the names taken from the model's
decision core, in one place), ``presets`` (scenarios and settings as
``--set`` overrides on the one config schema; the per-session
:class:`~jcs_sim.app.presets.Lesson`), ``components`` (the responders'
network and the service graph as plotly specs), ``charts`` (live charts,
time-to-resolve histogram), ``channel`` (the incident channel, the decision
rows), ``why`` (the "Why?" panel in plain words, the decision timeline),
``history`` (looking back at past minutes, moments to jump to),
``counterfactual`` ("what if this message had been read right?": one
misreading replayed as meant, compared in words),
``widgets`` (a plotly figure in a Solara page, styles), ``app`` (the page:
run controls, presets, settings and the panels), ``assets`` (Solara's
front-end files), ``cli`` (the ``viz`` subcommand).

Nothing is imported here: ``jcs-sim run`` loads only ``cli``'s argparse
declarations, and the model never imports the app.
"""
