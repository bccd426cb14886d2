"""The one rule for ids: people, pipelines, rotations, runbooks, steps, checks, sources."""

from __future__ import annotations

import re

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
"""Lowercase letters, digits, '-' and '_', starting with a letter or digit."""
