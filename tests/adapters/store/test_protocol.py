"""Every backend implements the whole Store Protocol, with the Protocol's own signatures."""

from __future__ import annotations

import inspect

import pytest

from oncall.adapters.store import OutboxStore, PageStore, RunStore, Store


def _members(protocol: type) -> set[str]:
    return {
        name
        for name, value in vars(protocol).items()
        if callable(value) and (not name.startswith("_") or name in ("__enter__", "__exit__"))
    }


def test_the_store_is_the_union_of_its_concerns() -> None:
    parts = _members(RunStore) | _members(PageStore) | _members(OutboxStore)
    assert {"start_run", "create_page_if_absent", "advance_escalation", "claim_outbox"} <= parts
    assert not _members(RunStore) & _members(PageStore)
    assert not _members(PageStore) & _members(OutboxStore)
    assert {"schema_version", "close", "__enter__", "__exit__"} <= _members(Store)
    assert set(Store.__mro__) >= {RunStore, PageStore, OutboxStore}


@pytest.mark.parametrize("protocol", [RunStore, PageStore, OutboxStore, Store])
def test_backend_has_every_method_with_the_protocol_signature(store: Store, protocol: type) -> None:
    backend = type(store)
    for name in sorted(_members(protocol)):
        implemented = getattr(backend, name, None)
        assert implemented is not None, f"{backend.__name__} lacks {protocol.__name__}.{name}"
        expected = inspect.signature(getattr(protocol, name))
        actual = inspect.signature(implemented)
        assert list(actual.parameters) == list(expected.parameters), name
        for param, want in expected.parameters.items():
            got = actual.parameters[param]
            assert (got.kind, got.default) == (want.kind, want.default), f"{name}({param})"
