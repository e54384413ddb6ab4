"""Console export jobs: queued, then ready with a verified package, or failed with a reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicam.export.jobs import export_filename, run_export_job
from civicam.export.verify import verify_package
from civicam.store.privacy import create_export, get_export, list_exports
from tests.export.conftest import FakeDetector
from tests.export.site import T0, Site


def _queue(site: Site, cameras: list[str], start: float) -> int:
    job = create_export(
        site.db,
        cameras=cameras,
        start=start,
        end=start + 3,
        reason="Case 8",
        recipient="Court",
        operator="ann",
        redacted=True,
    )
    assert job.status == "queued"
    return job.id


def test_job_becomes_ready(site: Site, tmp_path: Path) -> None:
    job_id = _queue(site, ["cam-a"], T0)
    seen: list[float] = []
    done = run_export_job(
        site.cfg,
        site.db,
        job_id,
        tmp_path,
        detector=FakeDetector(),
        progress=lambda _m, f: seen.append(f),
    )
    assert done.status == "ready" and done.finished_at is not None
    assert done.path == str(tmp_path / export_filename(job_id))
    assert verify_package(Path(done.path)).ok
    assert seen[-1] == 1.0
    assert [j.id for j in list_exports(site.db)] == [job_id]
    with pytest.raises(ValueError, match="not queued"):
        run_export_job(site.cfg, site.db, job_id, tmp_path)


def test_job_fails_with_reason(site: Site, tmp_path: Path) -> None:
    job_id = _queue(site, ["cam-a"], T0 + 1000)
    done = run_export_job(site.cfg, site.db, job_id, tmp_path, detector=FakeDetector())
    assert done.status == "failed" and done.error is not None and "no footage" in done.error
    assert get_export(site.db, job_id) == done
    with pytest.raises(KeyError):
        run_export_job(site.cfg, site.db, 999, tmp_path)
