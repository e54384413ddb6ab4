"""``civicam record``, ``civicam recordings`` and ``civicam cameras import|list``."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from civicam.cli import app

runner = CliRunner()


def _config(tmp_path: Path, bikes: Path) -> Path:
    cfg = tmp_path / "rec.yaml"
    cfg.write_text(
        f"storage: {{root: '{tmp_path / 'store'}', min_free_bytes: 0}}\n"
        f"database: {{url: 'sqlite:///{tmp_path / 'store' / 'x.db'}'}}\n"
        "recording: {segment_seconds: 2}\n"
        "cameras:\n"
        f"  - {{id: bikes, name: Bikes, url: 'file://{bikes}', purpose: CLI test, owner: tests}}\n"
        "  - {id: locked, name: Locked, url: 'rtsp://admin:t0p-s3cret@127.0.0.1:1/x',\n"
        "     purpose: CLI test, owner: tests}\n",
        encoding="utf-8",
    )
    return cfg


def test_record_then_recordings_json(tmp_path: Path, bikes: Path) -> None:
    cfg = _config(tmp_path, bikes)
    result = runner.invoke(app, ["record", "-c", str(cfg), "--duration", "5"])
    assert result.exit_code == 0, result.output
    assert "t0p-s3cret" not in result.output
    result = runner.invoke(app, ["recordings", "-c", str(cfg), "--camera", "bikes", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"segments", "gaps"}
    assert len(data["segments"]) >= 2
    seg = data["segments"][0]
    assert set(seg) == {"start", "end", "path", "bytes", "sha256"}
    assert seg["path"].startswith("bikes/") and len(seg["sha256"]) == 64
    assert (tmp_path / "store" / seg["path"]).stat().st_size == seg["bytes"]
    # A time window outside the recording is empty.
    result = runner.invoke(
        app,
        ["recordings", "-c", str(cfg), "--camera", "bikes", "--json", "--end", "2000-01-01T00:00"],
    )
    assert json.loads(result.output)["segments"] == []


def test_recordings_rejects_bad_camera_ids(tmp_path: Path, bikes: Path) -> None:
    cfg = _config(tmp_path, bikes)
    for bad in ("../etc", "kamera-ä", "nope"):
        result = runner.invoke(app, ["recordings", "-c", str(cfg), "--camera", bad, "--json"])
        assert result.exit_code != 0


def test_config_errors_name_the_line(tmp_path: Path) -> None:
    cfg = tmp_path / "bad.yaml"
    cfg.write_text(
        "storage: {root: /tmp/x}\ncameras:\n"
        "  - {id: '../up', name: x, url: 'rtsp://h/x', purpose: why, owner: me}\n"
    )
    result = runner.invoke(app, ["record", "-c", str(cfg), "--duration", "1"])
    assert result.exit_code == 2
    assert "bad.yaml:3" in result.output and "cameras.0.id" in result.output


def test_cameras_import_csv_and_plan_then_list(tmp_path: Path, bikes: Path) -> None:
    cfg = _config(tmp_path, bikes)
    csv_file = tmp_path / "cams.csv"
    csv_file.write_text(
        "id,name,url,purpose,owner,lat,lon,district\n"
        "north-1,North gate,rtsp://op:pw-in-csv@127.0.0.1:554/n,"
        "Gate safety,Parks dept,60.1,24.9,North\n"
    )
    result = runner.invoke(app, ["cameras", "import", "-c", str(cfg), str(csv_file)])
    assert result.exit_code == 0, result.output
    plan = tmp_path / "plan.geojson"
    plan.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "geometry": {"type": "Point", "coordinates": [24.94, 60.17]},
                        "properties": {"id": "cam-001", "model": "dome", "heading_deg": 90.0},
                    }
                ],
            }
        )
    )
    result = runner.invoke(
        app,
        [
            "cameras",
            "import",
            "-c",
            str(cfg),
            str(plan),
            "--url-template",
            "rtsp://127.0.0.1:554/{id}",
            "--purpose",
            "Planned square camera",
            "--owner",
            "City planning",
            "--id-prefix",
            "p1-",
        ],
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["cameras", "list", "-c", str(cfg)], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    for cam_id in ("bikes", "locked", "north-1", "p1-cam-001"):
        assert cam_id in result.output
    assert "pw-in-csv" not in result.output and "t0p-s3cret" not in result.output
    assert "Parks dept" in result.output


def test_cameras_import_reports_bad_rows(tmp_path: Path, bikes: Path) -> None:
    cfg = _config(tmp_path, bikes)
    csv_file = tmp_path / "cams.csv"
    csv_file.write_text("id,name,url,purpose,owner\n../x,X,ftp://h/x,why not,me\n")
    result = runner.invoke(app, ["cameras", "import", "-c", str(cfg), str(csv_file)])
    assert result.exit_code == 2
    assert "cams.csv:2" in result.output
