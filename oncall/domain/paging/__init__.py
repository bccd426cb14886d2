"""What to page, to whom and when: pure decisions, no delivery.

* :mod:`.content`: what a page says (:class:`~.content.PageContent`), its dedup key and
  the caps on its summary and details.
* :mod:`.secret`: the :class:`~.secret.Secret` value type and the env-var name rule (the
  values themselves are read by :mod:`oncall.adapters.secrets`).
* :mod:`.url`: which channel URLs are acceptable.
* :mod:`.urgency`: urgency levels, repeats and quiet-hours holds.
* :mod:`.quiet`: quiet hours on the wall clock, DST-safe.
* :mod:`.routing`: delivery targets, reachability and fall-through.
* :mod:`.escalation`: the steps through an escalation chain.

Time is an argument everywhere. The paging.yaml models live in
:mod:`oncall.config.models.paging`; each provider's wire format lives with its pager in
:mod:`oncall.adapters.pagers`.
"""
