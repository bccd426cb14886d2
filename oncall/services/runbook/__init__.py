"""Runbooks as a use case: find them, run their checks, step through a run.

``catalog`` finds and loads runbook files; ``sources`` builds the state sources
``config/state.yaml`` names; ``engine`` plans, fetches and judges checks; ``notify`` tells a
pipeline's owners through the paging service; ``stepper`` walks a run step by step, with the
prompts (``Interaction``) and the notifier (``Notifier``) passed in. Nothing here reads the
clock or touches the terminal.
"""
