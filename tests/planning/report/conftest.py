"""The bundled city's demo network (existing cameras, two earlier plans merged over four
years), built once per session with coarse settings so it stays quick."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicam.config.city import CityModelConfig
from civicam.config.plans import PlansConfig
from civicam.planning.city.bundled import helsinki_extract, helsinki_sites
from civicam.planning.city_plan import Budget, ModelRun, PlanResult, obtain_model
from civicam.planning.demo_city import demo_existing, demo_plans
from civicam.planning.plans import Comparison, compare_plans, merge_plans

COARSE = CityModelConfig(
    demand_spacing_m=10, mount_spacing_m=120, intersection_mounts=False, heading_step_deg=90
)
CFG = PlansConfig()


@pytest.fixture(scope="session")
def helsinki_run(tmp_path_factory: pytest.TempPathFactory) -> ModelRun:
    return obtain_model(
        helsinki_extract(),
        helsinki_sites(),
        None,
        COARSE,
        cache_dir=tmp_path_factory.mktemp("helsinki-cache"),
    )


@pytest.fixture(scope="session")
def helsinki_merge(helsinki_run: ModelRun) -> PlanResult:
    return merge_plans(
        helsinki_run,
        demo_plans(),
        demo_existing(),
        Budget(yearly=(9000.0,) * 4),
        CFG,
        time_limit_s=3,
    )


@pytest.fixture(scope="session")
def helsinki_compare(helsinki_run: ModelRun) -> Comparison:
    return compare_plans(helsinki_run, demo_plans(), demo_existing(), CFG)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return Path(__file__).resolve().parents[3]
