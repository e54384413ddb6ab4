"""Load YAML into Pydantic models, reporting errors at their YAML line.

ruamel.yaml keeps the line and column of every mapping key and sequence item,
which PyYAML does not; that is why it is used here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

M = TypeVar("M", bound=BaseModel)


class ConfigError(ValueError):
    """A configuration file that cannot be used; the message names file, line and problem."""


def _plain(node: Any) -> Any:
    if isinstance(node, CommentedMap):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, CommentedSeq):
        return [_plain(v) for v in node]
    return node


def _locate(root: Any, loc: tuple[int | str, ...]) -> tuple[int, int] | None:
    """Line and column (1-based) of the deepest YAML node on ``loc`` that exists."""
    node = root
    best: tuple[int, int] | None = None
    for part in loc:
        if isinstance(node, CommentedMap) and part in node:
            line, col = node.lc.key(part)
            best = (line + 1, col + 1)
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
            line, col = node.lc.item(part)
            best = (line + 1, col + 1)
            node = node[part]
        else:
            if best is None and hasattr(node, "lc"):
                best = (node.lc.line + 1, node.lc.col + 1)
            break
    return best


def load_yaml(path: Path) -> Any:
    """Parse a YAML file keeping positions; raise :class:`ConfigError` on syntax errors."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    yaml = YAML(typ="rt")
    try:
        return yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
        raise ConfigError(f"{path}{where}: invalid YAML: {exc.problem}") from exc


def load_model(path: Path, model: type[M]) -> M:
    """Load ``path`` as ``model``; every validation error carries its YAML line."""
    root = load_yaml(path)
    if root is None:
        root = CommentedMap()
    try:
        return model.model_validate(_plain(root))
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            pos = _locate(root, loc)
            where = f"{path}:{pos[0]}:{pos[1]}" if pos else str(path)
            field = ".".join(str(p) for p in loc) or "(top level)"
            lines.append(f"{where}: {field}: {err['msg']}")
        raise ConfigError("\n".join(lines)) from exc
