"""The report command end to end: files written, figures in them, bad input handled."""

import html
import json
import re
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

import borderstrikes as bs
from borderstrikes.cli import main

sys.path.insert(0, str(Path(__file__).parent))
from browser import run_chromium


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


# ---------------------------------------------------------------------- a page to publish


#: Appended to a copy of the page (the report itself runs no script): measures the
#: claims table and every table container, and writes the result into the DOM.
MEASURE = """<script>
window.addEventListener("load", function () {
  var out = {width: window.innerWidth, page: document.documentElement.scrollWidth,
             verdicts: [], reasons: [], overflow: []};
  document.querySelectorAll("#claims-table td.verdict").forEach(function (c) {
    out.verdicts.push(c.getBoundingClientRect().right);
  });
  document.querySelectorAll("#claims-table td.reason").forEach(function (c) {
    out.reasons.push(c.getBoundingClientRect().right);
  });
  document.querySelectorAll(".wrap").forEach(function (d) {
    if (d.scrollWidth > d.clientWidth + 1) out.overflow.push(d.firstElementChild.id);
  });
  var pre = document.createElement("pre");
  pre.id = "bs-measure";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>"""


@pytest.fixture(scope="module")
def page(report_dir):
    return (report_dir / "report.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def claims_rows(page):
    body = page[page.index("<table class='table claims'") :]
    body = body[: body.index("</table>")]
    return re.findall(r"<tr>(.*?)</tr>", body[body.index("<tbody>") :], flags=re.S)


def measure(tmp_path, report_dir, width, height, *, print_media=False):
    text = (report_dir / "report.html").read_text(encoding="utf-8")
    if print_media:  # the print rules, applied on screen at the width of A4 landscape
        text = text.replace("@media print{", "@media screen{")
    copy = tmp_path / "measured.html"
    copy.write_text(text.replace("</body>", MEASURE + "</body>"), encoding="utf-8")
    stdout = run_chromium(
        tmp_path,
        "--hide-scrollbars",
        f"--window-size={width},{height}",
        "--dump-dom",
        copy.as_uri(),
        budget_ms=3000,
    )
    found = re.search(r'<pre id="bs-measure">(.*?)</pre>', stdout, flags=re.S)
    assert found, stdout[-2000:]
    return json.loads(html.unescape(found.group(1)))


@pytest.mark.parametrize(
    ("width", "print_media"), [(1280, False), (1032, True)], ids=["screen-1280", "print-a4"]
)
def test_chromium_shows_every_verdict_without_sideways_scrolling(
    report_dir, tmp_path, width, print_media
):
    seen = measure(tmp_path, report_dir, width, 900, print_media=print_media)
    assert seen["width"] == width
    assert len(seen["verdicts"]) == len(pd.read_csv(report_dir / "claims.csv")) == 20
    assert max(seen["verdicts"]) <= seen["width"]
    assert max(seen["reasons"]) <= seen["width"]
    assert seen["overflow"] == []  # no table scrolls sideways
    assert seen["page"] <= seen["width"]


def test_every_claim_row_has_id_speaker_date_quote_link_and_verdict(claims_rows):
    claims = bs.load_claims()
    assert len(claims_rows) == len(claims)
    for (claim_id, claim), row in zip(claims.iterrows(), claims_rows, strict=True):
        assert f"<td class='id' data-label='ID'><b>{claim_id}</b>" in row
        assert html.escape(claim["claimant"]) in row
        assert html.escape(claim["date_said"]) in row
        assert html.escape(claim["quote"]) in row
        assert f'<a href="{html.escape(claim["source_url"])}"' in row
        assert re.search(r"class='v v-(consistent|inconsistent|not_checkable)'", row)


def test_claims_csv_keeps_claim_id_and_sources(report_dir):
    table = pd.read_csv(report_dir / "claims.csv")
    assert table.columns[0] == "claim_id"
    assert table["claim_id"].tolist() == bs.load_claims().index.tolist()
    assert {"quote", "source_url", "source_outlet", "verdict", "reason"} <= set(table.columns)


def test_captions_glossaries_and_verdicts_are_defined(page):
    assert page.count("<table ") == page.count("<caption>") == 5
    assert page.count("<details class='glossary' open><summary>Columns</summary>") == 5
    verdicts = page[page.index("id='verdicts'") : page.index("id='claims-table'")]
    for verdict in ("consistent", "inconsistent", "not_checkable"):
        assert f"<code>{verdict}</code>" in verdicts
    assert "beyond the claimed 1.5 km by" in verdicts  # the wording that read as a contradiction
    assert "@media print{" in page


def test_claim_sources_are_listed(page):
    sources = page[page.index("<h3>Sources of the claims</h3>") :]
    for url in bs.load_claims()["source_url"].unique():
        assert f'<a href="{html.escape(url)}"' in sources
    assert "<b>C03, C04</b>: Armenpress" in sources
