"""Fixtures of the pager tests (defined in helpers.py, shared by every module here)."""

from tests.adapters.pagers.helpers import _server, logs, refused_port, server

__all__ = ["_server", "logs", "refused_port", "server"]
