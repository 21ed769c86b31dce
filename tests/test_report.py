"""The report command end to end: files written, figures in them, bad input handled."""

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

import borderstrikes as bs
from borderstrikes.cli import main


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    assert main(["report", "--out", str(out)]) == 0
    return out


def test_report_writes_every_file(report_dir):
    names = {p.name for p in report_dir.iterdir()}
    assert names >= {
        "map.png",
        "map.svg",
        "distances.csv",
        "clusters.geojson",
        "buffer_zones.csv",
        "claims.csv",
        "report.html",
        "SOURCES.txt",  # the data credits
        ".borderstrikes-output",  # marks the folder as replaceable by the next report
    }


def test_report_tables_match_the_library(report_dir):
    strikes = bs.load_strikes()
    distances = pd.read_csv(report_dir / "distances.csv", index_col=0)
    assert len(distances) == len(strikes)
    expected = bs.distance_to_border(strikes)["signed_distance_km"]
    pd.testing.assert_series_equal(
        distances["signed_distance_km"], expected, check_names=False, check_index_type=False
    )
    clusters = gpd.read_file(report_dir / "clusters.geojson")
    assert clusters.crs.to_epsg() == 4326
    assert any("Jermuk" in name for name in clusters["name"])
    zones = pd.read_csv(report_dir / "buffer_zones.csv")
    assert list(zones["depth_km"]) == [1, 2, 5, 10, 15, 20]
    assert zones["area_km2"].is_monotonic_increasing
    claims = pd.read_csv(report_dir / "claims.csv")
    assert set(claims["verdict"]) <= {"consistent", "inconsistent", "not_checkable"}


def test_report_html_is_self_contained(report_dir):
    page = (report_dir / "report.html").read_text(encoding="utf-8")
    assert "data:image/png;base64," in page
    assert "WGS84" in page
    assert "claim" in page.lower()
    assert "<script" not in page  # nothing to fetch, nothing to run
    for url in bs.load_strikes()["source_url"].dropna().unique():
        assert json.dumps(url)[1:-1].replace("&", "&amp;") in page


def test_report_on_a_user_file(tmp_path):
    strikes = bs.load_strikes().iloc[:30]
    path = tmp_path / "mine.gpkg"
    strikes.assign(
        place_variants=strikes["place_variants"].map("; ".join),
        weapons=strikes["weapons"].map("; ".join),
    ).to_file(path)
    out = tmp_path / "out"
    assert main(["report", "--strikes", str(path), "--out", str(out)]) == 0
    assert len(pd.read_csv(out / "distances.csv")) == 30


def test_report_on_a_user_csv(tmp_path):
    """A CSV keeps dates as text; the report must read them as dates (it used to crash)."""
    strikes = bs.load_strikes().iloc[:12]
    table = pd.DataFrame(strikes.drop(columns="geometry")).assign(
        lon=strikes.geometry.x,
        lat=strikes.geometry.y,
        place_variants=strikes["place_variants"].map("; ".join),
        weapons=strikes["weapons"].map("; ".join),
        date=strikes["date"].dt.strftime("%Y-%m-%d"),
    )
    path = tmp_path / "mine.csv"
    table.to_csv(path, index=False)
    out = tmp_path / "out"
    assert main(["report", "--strikes", str(path), "--out", str(out)]) == 0
    assert len(pd.read_csv(out / "distances.csv")) == 12
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "12 reports about" in page
    assert "September 2022" in page


def test_report_keeps_the_local_date_of_a_csv(tmp_path):
    """00:30 at UTC+4 on the 14th is the 14th, not the 13th (UTC)."""
    strikes = bs.load_strikes().iloc[:3]
    table = pd.DataFrame(strikes.drop(columns="geometry")).assign(
        lon=strikes.geometry.x,
        lat=strikes.geometry.y,
        place_variants=strikes["place_variants"].map("; ".join),
        weapons=strikes["weapons"].map("; ".join),
        date=["2022-09-14T00:30:00+04:00", "2022-09-13", "2022-09-15T23:50:00+04:00"],
    )
    path = tmp_path / "mine.csv"
    table.to_csv(path, index=False)
    out = tmp_path / "out"
    assert main(["report", "--strikes", str(path), "--out", str(out)]) == 0
    dates = pd.read_csv(out / "distances.csv")["date"].tolist()
    assert dates == ["2022-09-14", "2022-09-13", "2022-09-15"]


def test_report_bad_input_gives_exit_code_and_message(tmp_path, capsys):
    bad = tmp_path / "bad.geojson"
    bad.write_text("{not json", encoding="utf-8")
    assert main(["report", "--strikes", str(bad), "--out", str(tmp_path / "x")]) == 1
    err = capsys.readouterr().err
    assert "error" in err
    assert "bad.geojson" in err
    assert main(["report", "--strikes", str(tmp_path / "missing.csv")]) == 1
    assert "no such file" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["distances"], "signed_distance_km"),
        (["clusters"], "Jermuk (Vayots Dzor)"),
        (["areas", "--depth-km", "5"], "area_km2"),
        (["claims"], "consistent"),
        (["geocode", "Dzhermuk", "Ghapan"], "Kapan"),
    ],
)
def test_subcommands_print_tables(argv, expected, capsys):
    assert main(argv) == 0
    assert expected in capsys.readouterr().out


def test_map_and_distances_write_files(tmp_path):
    assert main(["map", "-o", str(tmp_path / "m.png"), "--dpi", "50"]) == 0
    assert (tmp_path / "m.png").stat().st_size > 10_000
    assert main(["distances", "-o", str(tmp_path / "d.csv"), "--unit", "m"]) == 0
    assert "distance_m" in pd.read_csv(tmp_path / "d.csv").columns


def test_distances_shows_progress_on_large_inputs(tmp_path, monkeypatch, capsys):
    import borderstrikes.cli as cli

    monkeypatch.setattr(cli, "_PROGRESS_ROWS", 40)
    out = tmp_path / "d.csv"
    assert main(["distances", "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "distances: 40/88 rows" in err
    assert "distances: 88/88 rows" in err
    table = pd.read_csv(out, index_col=0)
    expected = bs.distance_to_border(bs.load_strikes())["distance_km"]
    np.testing.assert_array_equal(table["distance_km"].to_numpy(), expected.to_numpy())
