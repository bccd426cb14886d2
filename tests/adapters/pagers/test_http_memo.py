"""What the HTTP pagers work out once per URL or secret and process (whether a URL is on
loopback and over TLS, whether a secret URL is acceptable, a secret's forms) gives what
working it out on every send gives: compared on a table of URLs and on random secrets."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oncall.adapters.pagers import http
from oncall.domain.paging.secret import Secret
from oncall.domain.paging.url import check_channel_url, is_loopback_host

URLS = [
    "https://events.pagerduty.com/v2/enqueue",
    "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX",
    "http://127.0.0.1:8080/hook",
    "http://127.9.9.9/hook",
    "http://localhost/hook",
    "http://LOCALHOST./hook",
    "http://[::1]:9000/hook",
    "https://[::1]/hook",
    "http://example.com/hook",
    "http://128.0.0.1/hook",
    "HTTP://127.0.0.1/hook",
    "https://user:pw@relay.internal:8443/x?token=abcdefgh",
    "http://127.0.0.1:99999/hook",
    "http://127.0.0.1/has space",
    "ftp://127.0.0.1/file",
    "not a url",
    "",
]


def _plain_route(url: str) -> tuple[bool, bool]:
    parts = urlsplit(url)
    return is_loopback_host(parts.hostname or ""), parts.scheme != "http"


def _outcome(check: object, url: str) -> tuple[str, object]:
    try:
        return "ok", check(url)  # type: ignore[operator]
    except ValueError as exc:
        return "error", str(exc)


@pytest.mark.parametrize("url", URLS)
def test_the_route_of_a_url_is_worked_out_as_on_every_send(url: str) -> None:
    for _ in range(2):  # the second answer comes from the memo
        assert _outcome(http._route, url) == _outcome(_plain_route, url)
        assert _outcome(http._route, Secret(url)) == _outcome(_plain_route, url)


@pytest.mark.parametrize("url", URLS)
def test_a_secret_url_is_accepted_or_refused_as_on_every_send(url: str) -> None:
    for _ in range(2):
        plain = _outcome(check_channel_url, url)
        memo = _outcome(lambda u: http._checked_url(Secret(u)).reveal(), url)
        assert memo == plain


def _plain_scrub(text: str, secrets: list[Secret]) -> str:
    for secret in secrets:
        for form in sorted(http._secret_forms(secret), key=len, reverse=True):
            text = text.replace(form, secret.mask())
    return text


_SECRET = st.one_of(
    st.text(min_size=0, max_size=24),
    st.builds(
        lambda host, path, query: f"https://{host}/{path}?token={query}",
        st.from_regex(r"[a-z]{1,8}\.example", fullmatch=True),
        st.from_regex(r"[A-Za-z0-9/]{0,30}", fullmatch=True),
        st.from_regex(r"[A-Za-z0-9]{0,16}", fullmatch=True),
    ),
)


@given(st.lists(_SECRET, max_size=3), st.lists(st.sampled_from(["x", " ", "/", "%2F"]), max_size=5))
def test_scrub_with_memoised_forms_masks_as_working_them_out_each_time(
    values: list[str], glue: list[str]
) -> None:
    secrets = [Secret(v) for v in values]
    text = "".join(g + v for g, v in zip(glue * 3, values + values, strict=False))
    assert http.scrub(text, secrets) == _plain_scrub(text, secrets)
    assert http.scrub(text, secrets) == _plain_scrub(text, secrets)  # from the memo
