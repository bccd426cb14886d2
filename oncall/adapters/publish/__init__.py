"""The targets a schedule is published to: PagerDuty's REST API and Slack's Web API.

Each client is a small class behind a Protocol of the publish service; both retry 429, 5xx
and network errors with the project's retry policy (``pagers/http.py``: backoff with
jitter, ``Retry-After`` honoured, a budget per request, an injected sleeper) and never show
a token.
"""
