"""Paging use cases, one module per capability (docs/paging.md tells users what they do).

* :mod:`.common`: the loaded :class:`~.common.Paging` setup, secrets and log scrubbing,
  what providers are told about a stored page.
* :mod:`.recipient`: who a new page goes to; who can be reached on which channels.
* :mod:`.delivery`: sending to channels concurrently, falling through, recording results.
* :mod:`.send`: ``oncall page`` (dedup, quiet hours, the crash-safe outbox intent).
* :mod:`.dryrun`: what ``oncall page --dry-run`` would do, and whether it could deliver.
* :mod:`.escalate`: ``oncall escalate``.
* :mod:`.outbox`: ``oncall page flush``.
* :mod:`.actions`: ``oncall ack`` / ``oncall resolve``.
* :mod:`.views`: ``oncall page list`` / ``show``.
* :mod:`.notify`: runbook outcomes to a pipeline's people (``notify: owners``, ``check --page``).
* :mod:`.problems`: what ``oncall validate`` adds for paging.
"""
