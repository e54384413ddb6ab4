"""Configuration: one Pydantic model per section, loaded from YAML."""

from civicam.config.loader import ConfigError, load_model, load_yaml
from civicam.config.optimizer import OptimizerConfig

__all__ = ["ConfigError", "OptimizerConfig", "load_model", "load_yaml"]
