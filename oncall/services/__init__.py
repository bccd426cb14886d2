"""Use cases: one module or package per capability.

The only place where config, adapters and domain meet (docs/architecture.md).
"""
