"""YAML configuration errors point at the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicam.config import ConfigError, OptimizerConfig, load_model


def test_valid_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "opt.yaml"
    path.write_text("time_limit_s: 5\nseed: 3\n")
    cfg = load_model(path, OptimizerConfig)
    assert cfg.time_limit_s == 5 and cfg.seed == 3 and cfg.exact == "auto"


def test_unknown_key_is_rejected_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "opt.yaml"
    path.write_text("seed: 1\n\ntime_limt_s: 5\n")
    with pytest.raises(ConfigError) as err:
        load_model(path, OptimizerConfig)
    assert f"{path}:3:1: time_limt_s" in str(err.value)
    assert "Extra inputs are not permitted" in str(err.value)


def test_out_of_bounds_value_names_line_and_bound(tmp_path: Path) -> None:
    path = tmp_path / "opt.yaml"
    path.write_text("seed: 1\ntime_limit_s: -4\n")
    with pytest.raises(
        ConfigError, match=r"opt\.yaml:2:1: time_limit_s: Input should be greater than 0"
    ):
        load_model(path, OptimizerConfig)


def test_syntax_error_has_position(tmp_path: Path) -> None:
    path = tmp_path / "opt.yaml"
    path.write_text("seed: [1, 2\n")
    with pytest.raises(ConfigError, match=r"opt\.yaml:\d+:\d+: invalid YAML"):
        load_model(path, OptimizerConfig)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_model(tmp_path / "nope.yaml", OptimizerConfig)


def test_every_field_is_described_and_bounded() -> None:
    for name, field in OptimizerConfig.model_fields.items():
        assert field.description, name
        if field.annotation in (int, float):
            assert field.metadata, f"{name} has no bounds"


def test_configuration_reference_is_current() -> None:
    from civicam.config.reference import SECTIONS, render

    page = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"
    assert page.read_text(encoding="utf-8") == render(), (
        "docs/configuration.md is stale: run "
        "`python -m civicam.config.reference > docs/configuration.md`"
    )
    for _title, model, _about in SECTIONS:
        for name, field in model.model_fields.items():
            assert field.description, f"{model.__name__}.{name} has no description"
