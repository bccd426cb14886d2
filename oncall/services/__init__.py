"""Use cases: one module or package per capability; the only place config, adapters and domain meet."""
