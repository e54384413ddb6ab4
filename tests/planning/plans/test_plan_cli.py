"""``civicam plan`` with existing cameras and years, and ``plan evaluate|compare|merge``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from civicam.cli import app
from tests.planning.plans.conftest import cam, write_cameras

runner = CliRunner()


@pytest.fixture(scope="module")
def common(grid_files: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    settings = tmp_path_factory.mktemp("cli") / "settings.yaml"
    settings.write_text("demand_spacing_m: 5\nmount_spacing_m: 50\nheading_step_deg: 90\n")
    return [
        "--sites",
        str(grid_files["sites"]),
        "--catalog",
        str(grid_files["catalog"]),
        "--settings",
        str(settings),
        "--cache-dir",
        str(grid_files["cache"]),
    ]


def invoke(*args: str | Path) -> Result:
    return runner.invoke(app, [str(a) for a in args])


def load(path: Path) -> Any:
    return json.loads(path.read_text())


@pytest.fixture
def existing(tmp_path: Path) -> Path:
    return write_cameras(
        tmp_path / "installed.geojson",
        [cam(104, 104, id="E1", model="pano"), cam(10, 4, id="E2", model="dome", heading_deg=90)],
    )


@pytest.fixture
def plans(tmp_path: Path) -> list[Path]:
    a = write_cameras(
        tmp_path / "north.geojson",
        [cam(96, 196, id="N1", model="pano"), cam(150, 104, id="N2", model="dome", heading_deg=90)],
    )
    b = write_cameras(
        tmp_path / "south.geojson",
        [cam(50, 4, id="S1", model="dome", heading_deg=90), cam(96, 96, id="S2", model="pano")],
    )
    return [a, b]


def test_plan_with_existing_cameras_over_years(
    grid_files: dict[str, Path], common: list[str], existing: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = invoke(
        "plan", grid_files["city"], *common, "--existing", existing, "--years", "3",
        "--budget-per-year", "1500", "--time-limit", "3", "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = load(out / "summary.json")
    features = load(out / "plan.geojson")["features"]
    props = [f["properties"] for f in features]
    assert [p["id"] for p in props if p["existing"]] == ["E1", "E2"]
    assert all(p["phase"] == 0 for p in props if p["existing"])
    assert {p["phase"] for p in props if not p["existing"]} <= {1, 2, 3}
    assert len(features) == summary["n_cameras"] + summary["n_existing"]
    assert summary["budgets_by_year"] == [1500.0] * 3
    assert [r["year"] for r in summary["coverage_by_year"]] == [0, 1, 2, 3]
    assert summary["unspent_budget"] == pytest.approx(4500 - summary["cost"])
    assert summary["existing"]["n_cameras"] == 2
    for name in ("report.html", "map.png", "city.geojson"):
        assert (out / name).stat().st_size > 1000
    assert "Rollout by year" in result.output and f"report: {out / 'report.html'}" in result.output


def test_evaluate_prints_and_writes(
    grid_files: dict[str, Path], common: list[str], plans: list[Path], tmp_path: Path
) -> None:
    out = tmp_path / "ev"
    result = invoke(
        "plan", "evaluate", plans[0], "--city", grid_files["city"], *common, "--out", out
    )
    assert result.exit_code == 0, result.output
    ev = load(out / "evaluation.json")
    assert ev["n_cameras"] == 2 and ev["cost"] == 2800 + 900
    assert ev["cost_per_covered_weight"] == pytest.approx(ev["cost"] / ev["covered_weight"])
    assert (out / "report.html").exists() and (out / "map.png").exists()
    assert "Evaluation of north" in result.output


def test_compare_writes_json_and_html(
    grid_files: dict[str, Path],
    common: list[str],
    plans: list[Path],
    existing: Path,
    tmp_path: Path,
) -> None:
    out = tmp_path / "cmp"
    result = invoke(
        "plan", "compare", *plans, "--city", grid_files["city"], *common,
        "--existing", existing, "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    cmp = load(out / "compare.json")
    assert [p["label"] for p in cmp["plans"]] == ["north", "south"]
    assert set(cmp["overlap"]["shared"]["north"]) == {"north", "south"}
    html = (out / "compare.html").read_text()
    assert 'data-layer="plan-1"' in html and 'data-layer="plan-2"' in html
    assert (out / "map.png").exists()


def test_merge_writes_a_plan_with_origins(
    grid_files: dict[str, Path], common: list[str], plans: list[Path], tmp_path: Path
) -> None:
    out = tmp_path / "merged"
    result = invoke(
        "plan", "merge", *plans, "--city", grid_files["city"], *common,
        "--budget", "9000", "--time-limit", "3", "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = load(out / "summary.json")
    origins = {f["properties"]["origin"] for f in load(out / "plan.geojson")["features"]}
    assert {"north", "south"} <= origins
    assert summary["objective"] == "merge" and summary["cost"] <= 9000
    assert "What came from which plan" in result.output


@pytest.mark.parametrize(
    ("cameras", "extra", "message"),
    [
        (
            [cam(10, 4, id="X", model="pano"), cam(50, 4, id="X", model="pano")],
            [],
            "camera id 'X' is used twice",
        ),
        ([cam(5000, 10, id="far", model="pano")], [], "lie outside the city"),
        ([], [], "contains no cameras"),
        (
            [cam(10, 4, id="U", model="mystery", heading_deg=0)],
            [],
            "'mystery' is not in the catalog",
        ),
        ([cam(10, 4, id="ok", model="pano")], ["--budget", "100"], "below the cheapest camera"),
    ],
)
def test_bad_input_is_one_clear_error(
    grid_files: dict[str, Path],
    common: list[str],
    tmp_path: Path,
    cameras: list[dict[str, Any]],
    extra: list[str],
    message: str,
) -> None:
    path = write_cameras(tmp_path / "bad-cams.geojson", cameras)
    budget = extra or ["--budget", "3000"]
    result = invoke(
        "plan", grid_files["city"], *common, "--existing", path, *budget,
        "--time-limit", "1", "--out", tmp_path / "o",
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert message in result.stderr and "Traceback" not in result.output
    if not extra:  # file problems name the file
        assert "bad-cams.geojson" in result.stderr


def test_usage_errors(grid_files: dict[str, Path], common: list[str], plans: list[Path]) -> None:
    years_only = invoke("plan", grid_files["city"], *common, "--years", "3", "--out", "x")
    assert years_only.exit_code == 2 and "--years needs --budget-per-year" in years_only.stderr
    both = invoke(
        "plan", grid_files["city"], *common, "--budget", "1", "--budget-per-year", "1", "--out", "x"
    )
    assert both.exit_code == 2 and "not both" in both.stderr
    mismatch = invoke(
        "plan", grid_files["city"], *common, "--years", "2", "--budget-per-year", "1,2,3",
        "--out", "x",
    )  # fmt: skip
    assert mismatch.exit_code == 2 and "--years 2 but 3" in mismatch.stderr
    one = invoke("plan", "compare", plans[0], "--city", grid_files["city"], *common, "--out", "x")
    assert one.exit_code == 2 and "at least two" in one.stderr
