"""oncall: who owns this pipeline, who is on call now, and what to do when it breaks."""

__version__ = "0.1.0"
