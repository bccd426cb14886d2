"""The YAML limits of oncall/config/yamlbounds.py, with libyaml's C loader and the pure-Python one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from oncall.config import yamlfile
from oncall.config.yamlbounds import MAX_DEPTH, MAX_FILE_BYTES
from oncall.config.yamlfile import load_yaml
from oncall.errors import ConfigError

LOADERS = [yaml.SafeLoader] + ([yaml.CSafeLoader] if yaml.__with_libyaml__ else [])


@pytest.fixture(params=LOADERS, ids=lambda c: c.__name__)
def loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(yamlfile, "_Loader", request.param)
    yield


def _error(tmp_path: Path, content: str | bytes) -> str:
    path = tmp_path / "owners.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_yaml(path)
    message = str(info.value)
    assert "\n" not in message.strip()
    return message.replace(str(path), "F")


def billion_laughs(levels: int) -> str:
    lines = ["l0: &l0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, levels):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_refused_at_the_alias(tmp_path: Path, loader: None) -> None:
    message = _error(tmp_path, billion_laughs(9))
    assert message.startswith("F:5:10: error: alias *l3 takes the aliases of this file past 10,000")


def test_aliases_within_the_limit_load(tmp_path: Path, loader: None) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text(billion_laughs(4), encoding="utf-8")  # 9**3 values added: below 10,000
    data, _ = load_yaml(path)
    assert data["l3"][8][8][8] == ["x"] * 9


def test_merge_keys_still_work(tmp_path: Path, loader: None) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text("base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n", encoding="utf-8")
    data, marks = load_yaml(path)
    assert data["other"] == {"x": 1, "y": 2}
    assert marks.values[("other", "y")] == (4, 6)


def test_recursive_alias_is_refused(tmp_path: Path, loader: None) -> None:
    assert _error(tmp_path, "a: &a [*a]\n").startswith(
        "F:1:8: error: alias *a is inside the value it refers to (a recursive alias)"
    )


@pytest.mark.parametrize(
    ("content", "where"),
    [
        ("a: " + "[" * 5000, None),
        ("a: " + "{a: " * 3000, "F:1:256:"),
        ("a:\n" + "".join(" " * i + f"k{i}:\n" for i in range(1, 200)) + "   x\n", "F:65:"),
    ],
    ids=["flow-lists", "flow-maps", "block-maps"],
)
def test_deep_nesting_is_refused_with_its_place(
    tmp_path: Path, loader: None, content: str, where: str | None
) -> None:
    message = _error(tmp_path, content)
    assert f"values nest more than {MAX_DEPTH} levels deep here" in message
    assert message.startswith(where or "F:1:")


def test_aliases_cannot_build_depth_past_the_limit(tmp_path: Path, loader: None) -> None:
    lines = []
    for i in range(20):
        inner = f"*a{i - 1}" if i else "x"
        lines.append(f"a{i}: &a{i} " + "[" * 40 + inner + "]" * 40)
    assert "levels deep here" in _error(tmp_path, "\n".join(lines) + "\n")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("a: b\nc: d\x00e\n", "F:2:5: error: a NUL byte (U+0000) is not allowed in a YAML file"),
        ("a: b\x07\n", "F:1:5: error: the control character U+0007 is not allowed"),
        ("a: b\nc: caf\xe9\n".encode("latin-1"), "F:2:7: error: byte 0xe9 is not valid UTF-8"),
        ("a: b\n".encode("utf-16"), "F:1:1: error: file is encoded as UTF-16"),
        ("a: b\n".encode("utf-16-le"), "F:1:1: error: file is encoded as UTF-16"),
        ("a: b\n".encode("utf-32"), "F:1:1: error: file is encoded as UTF-32"),
    ],
    ids=["nul", "bell", "latin-1", "utf-16", "utf-16-no-bom", "utf-32"],
)
def test_forbidden_characters_and_encodings_are_located(
    tmp_path: Path, loader: None, content: str | bytes, expected: str
) -> None:
    assert _error(tmp_path, content).startswith(expected)


def test_a_utf8_byte_order_mark_is_fine(tmp_path: Path, loader: None) -> None:
    path = tmp_path / "ok.yaml"
    path.write_bytes("\ufeffa: b\n".encode())
    assert load_yaml(path)[0] == {"a": "b"}


def test_a_huge_file_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    with path.open("wb") as handle:
        handle.write(b"a: b\n")
        handle.truncate(MAX_FILE_BYTES * 4)
    with pytest.raises(ConfigError, match="file is larger than 4 MiB"):
        load_yaml(path)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("a: *nope\n", "F:1:4: error: invalid YAML: found undefined alias 'nope'"),
        ("a: &x 1\nb: &x 2\n", "F:2:4: error: invalid YAML: second occurrence found duplicate"),
        ("a: 1\n---\nb: 2\n", "F:2:1: error: invalid YAML: but found another document"),
    ],
)
def test_composer_errors_keep_their_messages(
    tmp_path: Path, loader: None, content: str, expected: str
) -> None:
    assert _error(tmp_path, content).startswith(expected)


def test_far_timestamp_does_not_overflow(tmp_path: Path, loader: None) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text("a: 9999-12-31T23:59:59-01:00\nb: " + "9" * 5000 + "\n", encoding="utf-8")
    data, _ = load_yaml(path)
    assert data["a"].year == 9999
    assert data["b"] == "9" * 5000


def test_the_c_loader_is_used_when_available() -> None:
    assert yamlfile._Loader is (yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader)
