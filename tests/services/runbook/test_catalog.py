"""Finding runbooks: by name or pipeline, with did-you-mean, and a runbook's state source."""

from __future__ import annotations

from pathlib import Path

import pytest

from oncall.config import load_config
from oncall.errors import ConfigError, NotFoundError, UsageError
from oncall.services.runbook.catalog import load_runbook, load_runbooks, runbook_for_pipeline
from oncall.services.runbook.sources import check_source, load_state_sources


def test_a_pipeline_id_finds_its_runbook(config_dir: Path) -> None:
    cfg = load_config(config_dir)

    assert load_runbook(cfg, "aggregate-profit").name == "profit"
    assert runbook_for_pipeline(cfg, "aggregate-profit").name == "profit"


def test_an_unknown_runbook_suggests_the_closest_name(config_dir: Path) -> None:
    cfg = load_config(config_dir)

    with pytest.raises(NotFoundError, match=r"no runbook 'proft' \(did you mean 'profit'\?\)"):
        load_runbook(cfg, "proft")
    with pytest.raises(UsageError, match="bad runbook name"):
        load_runbook(cfg, "../profit")


def test_one_broken_runbook_does_not_hide_the_others(config_dir: Path) -> None:
    cfg = load_config(config_dir)
    (cfg.runbooks_dir / "broken.yaml").write_text("title: x\n")

    loaded, problems = load_runbooks(cfg)

    assert "profit" in [rb.name for rb in loaded]
    assert problems and all("broken.yaml" in p.path for p in problems)


def test_an_undefined_source_is_located_in_the_runbook(config_dir: Path) -> None:
    cfg = load_config(config_dir)
    path = cfg.runbooks_dir / "profit.yaml"
    path.write_text(path.read_text().replace("source: default", "source: nowhere", 1))
    loaded = load_runbook(cfg, "profit")

    with pytest.raises(ConfigError) as caught:
        check_source(loaded, load_state_sources(cfg))

    (problem,) = caught.value.problems
    assert problem.path == str(path)
    assert "unknown state source 'nowhere'" in problem.message
    assert "there is no config/state.yaml" in problem.message
