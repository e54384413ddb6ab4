"""Planning on top of existing cameras, rollouts, and evaluate/compare/merge on a grid city."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from civicam.config.plans import PlansConfig
from civicam.planning.city.errors import CityInputError
from civicam.planning.city_plan import Budget, BudgetError, ModelRun, plan_city
from civicam.planning.coverage import counts, credit
from civicam.planning.network import demand_of
from civicam.planning.plans import (
    compare_plans,
    evaluate_plan,
    load_existing,
    merge_plans,
    plan_labels,
)
from tests.planning.plans.conftest import cam, lonlat, write_cameras, write_csv

CFG = PlansConfig()


@pytest.fixture
def existing(tmp_path: Path) -> Path:
    return write_cameras(
        tmp_path / "existing.geojson",
        [
            cam(104, 104, id="E1", model="pano"),
            # Two domes on one pole looking the same way: one of them is redundant.
            cam(10, 4, id="E2", model="dome", heading_deg=90),
            cam(10.5, 4, id="E3", model="dome", heading_deg=92),
        ],
    )


@pytest.fixture
def plan_a(tmp_path: Path) -> Path:
    return write_cameras(
        tmp_path / "a.geojson",
        [
            cam(96, 96, id="A1", model="pano", cost=2800),
            cam(50, 4, id="A2", model="dome", heading_deg=90),
            cam(150, 104, id="A3", model="dome", heading_deg=90),
        ],
    )


@pytest.fixture
def plan_b(tmp_path: Path) -> Path:
    rows: list[list[Any]] = []
    for cam_id, x, y, model, heading in (
        ("B1", 96.3, 96, "pano", ""),  # the same camera as A1
        ("B2", 4, 150, "dome", 0),
        ("B3", 104, 150, "dome", 180),
    ):
        lon, lat = lonlat(x, y)
        rows.append([cam_id, lon, lat, model, heading])
    return write_csv(tmp_path / "b.csv", ["id", "lon", "lat", "model", "heading_deg"], rows)


def test_existing_cameras_are_fixed_and_the_budget_buys_what_they_miss(
    grid_run: ModelRun, existing: Path
) -> None:
    placed = load_existing(grid_run.model, existing, CFG)
    result = plan_city(grid_run, Budget(total=3000), existing=placed, time_limit_s=5)
    net, s = result.cameras, result.summary
    assert net.ids[:3] == ("E1", "E2", "E3") and net.existing[:3].all()
    assert (net.phase[net.existing] == 0).all() and (net.phase[net.new] == 1).all()
    assert s["cost"] == pytest.approx(net.cost[net.new].sum()) and s["cost"] <= 3000
    assert s["n_existing"] == 3 and s["n_cameras"] == int(net.new.sum()) > 0
    demand = demand_of(grid_run.model)
    assert s["covered_weight"] == pytest.approx(credit(counts(net.matrix), demand))
    ex = s["existing"]
    assert ex["covered_weight"] == pytest.approx(credit(counts(placed.cameras.matrix), demand))
    assert s["covered_weight"] > ex["covered_weight"]
    assert s["added_weight"] == pytest.approx(s["covered_weight"] - ex["covered_weight"])
    # Exactly one of the two domes on one pole is a candidate to move.
    assert len({"E2", "E3"} & set(ex["candidates_to_move"])) == 1
    assert s["coverage_by_year"][0]["covered_weight"] == pytest.approx(ex["covered_weight"])
    # The plan buys no camera that merely repeats an existing one.
    assert not set(net.pose[net.new]) & set(net.pose[net.existing])


def test_multi_year_rollout_spends_within_yearly_budgets(
    grid_run: ModelRun, existing: Path
) -> None:
    placed = load_existing(grid_run.model, existing, CFG)
    budgets = (1000.0, 2000.0, 500.0, 3000.0)
    result = plan_city(grid_run, Budget(yearly=budgets), existing=placed, time_limit_s=5)
    s, net = result.summary, result.cameras
    assert s["budget"] == sum(budgets) and s["budgets_by_year"] == list(budgets)
    phases = net.phase[net.new]
    assert set(phases.tolist()) <= {1, 2, 3, 4}
    spend = s["spend_by_year"]
    assert [r["year"] for r in spend] == [1, 2, 3, 4]
    assert np.all(np.cumsum([r["capital"] for r in spend]) <= np.cumsum(budgets) + 1e-6), (
        "cumulative capital must fit cumulative budgets"
    )
    for r in spend:
        assert r["capital"] == pytest.approx(net.cost[net.phase == r["year"]].sum())
        assert r["spend"] == pytest.approx(r["capital"] + r["running"])
    # Running costs: existing cameras from year 1, new ones from the year after installation.
    ex_yearly = net.yearly[net.existing].sum()
    assert spend[0]["running"] == pytest.approx(ex_yearly)
    assert spend[1]["running"] == pytest.approx(ex_yearly + net.yearly[net.phase == 1].sum())
    assert s["unspent_budget"] == pytest.approx(sum(budgets) - s["cost"])
    assert spend[-1]["carried_over"] == pytest.approx(s["unspent_budget"])
    cov = [r["coverage_fraction"] for r in s["coverage_by_year"]]
    assert cov == sorted(cov) and cov[-1] == pytest.approx(s["coverage_fraction"])
    # Ids follow the installation order.
    new_ids = [i for i, e in zip(net.ids, net.existing, strict=True) if not e]
    assert new_ids == sorted(new_ids)


def test_budgets_that_buy_nothing_are_errors(grid_run: ModelRun) -> None:
    with pytest.raises(BudgetError, match=r"below the cheapest camera in the catalog.*dome, 900"):
        plan_city(grid_run, Budget(total=500), time_limit_s=1)
    with pytest.raises(BudgetError, match="below the cheapest"):
        plan_city(grid_run, Budget(yearly=(200.0, 200.0)), time_limit_s=1)
    with pytest.raises(BudgetError, match="yearly budgets total"):
        plan_city(grid_run, Budget(yearly=(900.0,), target=0.5), time_limit_s=2)


def test_a_year_below_one_camera_carries_over_with_a_warning(grid_run: ModelRun) -> None:
    result = plan_city(grid_run, Budget(yearly=(300.0, 3000.0)), time_limit_s=3)
    assert any("year(s) 1" in w and "carries over" in w for w in result.warnings)
    first = result.summary["spend_by_year"][0]
    assert first["new_cameras"] == 0 and first["carried_over"] == 300.0


def test_evaluate_reports_coverage_cost_and_redundancy(grid_run: ModelRun, tmp_path: Path) -> None:
    path = write_cameras(
        tmp_path / "mine.geojson",
        [
            cam(96, 96, id="P1", model="pano"),
            cam(96.2, 96, id="P2", model="pano"),  # a twin: one of the two is redundant
            cam(50, 4, id="P3", model="dome", heading_deg=90),
        ],
    )
    ev = evaluate_plan(grid_run, path, None, CFG)
    s = ev.summary
    demand = demand_of(grid_run.model)
    assert s["n_cameras"] == 3 and s["cost"] == 2800 + 2800 + 900
    assert s["covered_weight"] == pytest.approx(credit(counts(ev.network.matrix), demand))
    assert s["cost_per_covered_weight"] == pytest.approx(s["cost"] / s["covered_weight"])
    # Crossing wants two cameras: the twins give it backup coverage, so neither is redundant.
    assert s["redundant_cameras"] == []
    assert any("duplicates" in w for w in ev.warnings)
    crossing = next(x for x in s["sites"] if x["name"] == "Crossing")
    assert crossing["coverage_fraction"] > 0.5


def test_evaluate_with_existing_prices_only_the_plan(
    grid_run: ModelRun, existing: Path, plan_a: Path
) -> None:
    s = evaluate_plan(grid_run, plan_a, existing, CFG).summary
    assert s["n_existing"] == 3 and s["n_cameras"] == 3
    assert s["cost"] == 2800 + 900 + 900
    assert s["added_weight"] == pytest.approx(s["covered_weight"] - s["existing_covered_weight"])
    assert s["cost_per_covered_weight"] == pytest.approx(s["cost"] / s["added_weight"])


def test_compare_side_by_side(
    grid_run: ModelRun, existing: Path, plan_a: Path, plan_b: Path
) -> None:
    cmp = compare_plans(grid_run, [plan_a, plan_b], existing, CFG)
    s = cmp.summary
    a, b = s["plans"]
    assert (a["label"], b["label"]) == ("a", "b")
    assert a["cost"] == 2800 + 900 + 900 and b["n_cameras"] == 3
    shared = s["overlap"]["shared"]["a"]["b"]
    assert shared > 0  # A1 and B1 are one camera
    assert a["exclusive_weight"] + b["exclusive_weight"] + shared == pytest.approx(
        s["overlap"]["seen_by_any_plan"]
    )
    assert a["seen_weight"] == pytest.approx(a["exclusive_weight"] + shared)
    # A1 and B1 each add little given the other plan (and the existing pano beside them)...
    a1 = next(c for c in a["cameras"] if c["id"] == "A1")
    assert a1["unique_weight_given_others"] < 0.1 * a1["own_weight"]
    # ...but within its own plan each is needed.
    assert "A1" not in a["redundant_within_plan"] and a1["unique_weight"] == a1["own_weight"]
    loose = compare_plans(
        grid_run, [plan_a, plan_b], existing, PlansConfig(redundancy_threshold=0.1)
    ).summary["plans"]
    # Of the pair, the first plan's camera is dropped first; the other then stays needed.
    assert "A1" in loose[0]["redundant_given_others"]
    assert "B1" in loose[1]["redundant_given_others"]
    for p in (a, b):
        for site in p["sites"]:
            assert (site["coverage_fraction"] < 0.5) == (site["name"] in p["uncovered_sites"])
    assert s["existing"]["n_cameras"] == 3


def test_merge_unions_dedupes_prunes_and_tops_up(
    grid_run: ModelRun, existing: Path, plan_a: Path, plan_b: Path
) -> None:
    result = merge_plans(
        grid_run, [plan_a, plan_b], existing, Budget(total=12000), CFG, time_limit_s=5
    )
    s, net = result.summary, result.cameras
    m = s["merge"]
    assert m["union_cameras"] == 5  # A1 and B1 are the same camera
    origins = set(net.origin)
    assert "a+b" in origins and "optimizer" in origins and "existing" in origins
    assert s["cost"] <= 12000 and m["from_optimizer"] > 0
    assert {p["label"]: p["kept"] for p in m["plans"]} == {
        "a": sum("a" in o.split("+") for o in net.origin),
        "b": sum("b" in o.split("+") for o in net.origin),
    }
    assert len(set(net.ids)) == len(net.ids)  # plan ids are qualified, new ids fresh


def test_merge_trims_to_a_small_budget(grid_run: ModelRun, plan_a: Path, plan_b: Path) -> None:
    result = merge_plans(grid_run, [plan_a, plan_b], None, Budget(total=2000), CFG, time_limit_s=3)
    s = result.summary
    assert s["cost"] <= 2000
    assert s["merge"]["trimmed_to_budget"]
    assert all(o != "optimizer" for o in result.cameras.origin)  # 200 left buys nothing


def test_merge_drops_redundant_cameras_first(
    grid_run: ModelRun, tmp_path: Path, plan_a: Path
) -> None:
    # A panoramic camera beside A2 sees all that dome sees, and more.
    pano = write_cameras(tmp_path / "pano.geojson", [cam(50.5, 4, id="T", model="pano")])
    result = merge_plans(grid_run, [plan_a, pano], None, Budget(total=7400), CFG, time_limit_s=3)
    m = result.summary["merge"]
    assert [d["id"] for d in m["dropped_redundant"]] == ["a:A2"]
    assert m["dropped_redundant"][0]["loss_share"] <= CFG.redundancy_threshold
    assert "a:A2" not in result.cameras.ids and "pano:T" in result.cameras.ids


def test_plan_labels_stay_distinct() -> None:
    paths = [Path("x/plan.geojson"), Path("y/plan.geojson"), Path("z/other.csv")]
    assert plan_labels(paths) == ["x/plan", "y/plan", "other"]
    assert plan_labels([Path("a.csv"), Path("a.csv")]) == ["a#1", "a#2"]


def test_a_plan_relisting_installed_cameras_is_not_charged_for_them(
    grid_run: ModelRun, existing: Path, tmp_path: Path
) -> None:
    plan = write_cameras(
        tmp_path / "relist.geojson",
        [
            cam(104.2, 104, id="R1", model="pano"),  # E1, already on its pole
            cam(150, 104, id="E2", model="dome", heading_deg=90),  # E2's id, another camera
        ],
    )
    ev = evaluate_plan(grid_run, plan, existing, CFG)
    assert ev.summary["n_cameras"] == 1 and ev.summary["cost"] == 900
    assert any("already installed" in w and "R1" in w for w in ev.warnings)
    assert any("id(s) E2 also name different installed cameras" in w for w in ev.warnings)
    only_installed = write_cameras(tmp_path / "same.geojson", [cam(104, 104, id="S", model="pano")])
    with pytest.raises(CityInputError, match="every camera of the plan is already installed"):
        evaluate_plan(grid_run, only_installed, existing, CFG)
