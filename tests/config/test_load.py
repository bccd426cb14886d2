"""The config layer without the CLI: lookup, strict YAML, located model errors, cross-file rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from oncall.config import Config, find_config_dir, load_model, validate_config
from oncall.config.locate import OWNERS_FILE, RUNBOOKS_DIR
from oncall.config.models.rotation import RotationFile
from oncall.config.yamlfile import load_yaml
from oncall.errors import ConfigError, ConfigNotFoundError


def _messages(exc: pytest.ExceptionInfo[ConfigError]) -> list[str]:
    return [p.render() for p in exc.value.problems]


def test_lookup_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / OWNERS_FILE).write_text("team: {}\n")
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    assert find_config_dir(cwd=nested) == tmp_path / "config"
    assert find_config_dir(cwd=tmp_path) == Path("config")
    monkeypatch.setenv("ONCALL_CONFIG_DIR", "/elsewhere")
    assert find_config_dir(cwd=nested) == Path("/elsewhere")
    assert find_config_dir(Path("explicit"), cwd=nested) == Path("explicit")


def test_no_config_anywhere(tmp_path: Path) -> None:
    with pytest.raises(ConfigNotFoundError, match="oncall init"):
        find_config_dir(cwd=tmp_path)


def test_the_shipped_config_validates(config_dir: Path) -> None:
    cfg = validate_config(config_dir)
    assert isinstance(cfg, Config)
    assert cfg.runbooks_dir == config_dir.parent / RUNBOOKS_DIR
    assert cfg.owners.pipelines["aggregate-profit"].secondary == "de4"
    assert set(cfg.rotation_specs) == set(cfg.rotation.rotations)


def test_marks_locate_keys_and_values(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("a:\n  b: [1, 2]\n  c: text\n")
    data, marks = load_yaml(path)
    assert data == {"a": {"b": [1, 2], "c": "text"}}
    assert marks.locate(("a", "b", 1)) == (2, 10)
    assert marks.locate(("a", "c"), key=True) == (3, 3)
    assert marks.locate(("a", "missing")) == (2, 3)


def test_duplicate_keys_are_errors(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("a: 1\nb: 2\na: 3\n")
    with pytest.raises(ConfigError) as exc:
        load_yaml(path)
    assert _messages(exc) == [
        f"{path}:3:1: error: duplicate key 'a' (first defined on line 1): YAML keeps only one "
        "of them; remove or merge the duplicate"
    ]


def test_an_optional_missing_file_is_none(tmp_path: Path) -> None:
    model, marks = load_model(tmp_path / "absent.yaml", RotationFile, required=False)
    assert model is None and marks.path == tmp_path / "absent.yaml"


def test_model_errors_are_located_with_did_you_mean(tmp_path: Path) -> None:
    path = tmp_path / "rotation.yaml"
    path.write_text(
        "rotations:\n"
        "  primary:\n"
        "    membres: [de1]\n"
        "    start: 2026-01-05\n"
        "    timezone: Asia/Kolkatta\n"
    )
    with pytest.raises(ConfigError) as exc:
        load_model(path, RotationFile)
    assert sorted(_messages(exc)) == [
        f"{path}:3:5: error: rotations.primary: unknown key 'membres' (did you mean 'members'?)",
        f"{path}:5:15: error: rotations.primary.timezone: unknown IANA timezone "
        "'Asia/Kolkatta' (did you mean 'Asia/Kolkata'?): use a name like Asia/Kolkata",
    ]


def test_every_cross_file_problem_in_one_error(config_dir: Path) -> None:
    owners = config_dir / "owners.yaml"
    text = owners.read_text()
    assert "secondary: de4" in text
    owners.write_text(text.replace("secondary: de4", "secondary: de44", 1))
    rotation = config_dir / "rotation.yaml"
    rotation.write_text(rotation.read_text().replace("de1", "de11", 1))
    with pytest.raises(ConfigError) as exc:
        validate_config(config_dir)
    found = _messages(exc)
    assert any("unknown person 'de44' (did you mean 'de4'?" in m for m in found), found
    assert any("rotation.yaml:" in m and "unknown person 'de11'" in m for m in found), found
    assert found == sorted(found, key=lambda m: (m.split(":")[0], *map(int, m.split(":")[1:3])))
