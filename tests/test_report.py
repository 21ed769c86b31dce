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
        "timeline.png",
        "timeline.csv",
        "places.csv",
        "map.html",
        "case-file.zip",
        "manifest.json",
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
    # the page itself runs nothing; the web map runs in a sandboxed srcdoc frame
    outside = re.sub(r"srcdoc=\"[^\"]*\"", "", page)
    assert "<script" not in outside
    assert not re.search(r"(src|href)=['\"]?https?:", outside.replace("<a href", ""))
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
    n_claims = len(bs.load_claims())
    assert len(seen["verdicts"]) == len(pd.read_csv(report_dir / "claims.csv")) == n_claims
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
    assert page.count("<table ") == page.count("<caption>") == 9
    assert page.count("<details class='glossary' open><summary>Columns</summary>") == 9
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


def test_timeline_spreads_tallies_and_marks_the_cited_ceasefires(report_dir, page):
    strikes = bs.load_strikes()
    timeline = pd.read_csv(report_dir / "timeline.csv")
    assert timeline["reports"].sum() == pytest.approx(len(strikes))
    # independent count: a report covers date_start..date_end, shared equally over its days
    days = (strikes["date_end"] - strikes["date_start"]).dt.days + 1
    expected = {}
    for start, n in zip(strikes["date_start"], days, strict=True):
        for k in range(n):
            day = f"{start + pd.Timedelta(days=k):%Y-%m-%d}"
            expected[day] = expected.get(day, 0) + 1 / n
    per_day = timeline.groupby(timeline["start"].str[:10])["reports"].sum()
    for day, value in expected.items():  # a clock time narrows a report within its one day
        assert per_day[day] == pytest.approx(value, abs=1e-9), day
    marks = bs.load_timeline_marks()
    for mark_id, mark in marks.iterrows():
        assert f"<b>{mark_id}</b>" in page
        assert f'<a href="{html.escape(mark["source_url"])}"' in page


def test_places_table_counts_and_bounds(report_dir):
    strikes = bs.load_strikes()
    places = pd.read_csv(report_dir / "places.csv")
    counts = strikes.groupby("place").size()
    assert places.set_index("place")["reports"].to_dict() == counts.to_dict()
    sotk = places.set_index("place").loc["Sotk"]
    distances = pd.read_csv(report_dir / "distances.csv")
    at_sotk = distances[distances["place"] == "Sotk"]
    radius_km = at_sotk["location_radius_m"] / 1000
    assert sotk["distance_min_km"] == pytest.approx(
        (at_sotk["signed_distance_km"] - radius_km).min()
    )
    assert sotk["distance_max_km"] == pytest.approx(
        (at_sotk["signed_distance_km"] + radius_km).max()
    )
    assert sotk["strongest_evidence"] == "impact"


def test_report_on_a_minimal_csv_of_ones_own_events(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text(
        "lon,lat,date,place,my_note\n"
        "45.669,39.841,2022-09-13,Jermuk,seen on video\n"
        "45.876,40.204,2022-09-13,Sotk,\n"
        "46.338,39.508,2022-09-14,Goris,two craters\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert main(["report", "--strikes", str(path), "--out", str(out)]) == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "Fields filled in by borderstrikes" in page
    for column in ("evidence", "location_precision", "claimant", "admin1_iso"):
        assert f"<code>{column}</code>" in page
    distances = pd.read_csv(out / "distances.csv")
    assert distances["my_note"].tolist()[0] == "seen on video"  # the user's column is kept
    assert distances["admin1"].tolist() == ["Vayots Dzor", "Gegharkunik", "Syunik"]
    assert set(distances["location_radius_m"]) == {2000}


FRAME_PROBE = """<pre id="bs-frame"></pre><script>
window.addEventListener("load", function () {
  setTimeout(function () {
    var frame = document.querySelector("iframe.webmap");
    var box = frame.getBoundingClientRect();
    var doc = frame.contentDocument;
    var legend = doc && doc.getElementById("bs-legend");
    var out = {frame: [box.left, box.right, box.width], viewport: window.innerWidth};
    var xs = [], ys = [];
    if (doc) {
      doc.querySelectorAll(".bs-report-icon").forEach(function (icon) {
        var r = icon.getBoundingClientRect();
        xs.push((r.left + r.right) / 2);
        ys.push((r.top + r.bottom) / 2);
      });
    }
    out.icons = {x: xs, y: ys};
    if (legend) {
      var r = legend.getBoundingClientRect();
      out.legend = {left: r.left, right: r.right, top: r.top, bottom: r.bottom,
        inner: [doc.documentElement.clientWidth, doc.documentElement.clientHeight],
        visibility: getComputedStyle(legend).visibility, text: legend.textContent};
    }
    document.getElementById("bs-frame").textContent = JSON.stringify(out);
  }, 1500);
});
</script>"""


def test_chromium_shows_the_embedded_map_with_its_legend(report_dir, tmp_path):
    """The web map inside report.html draws its legend within the frame, on screen.

    The page sandboxes the frame (scripts only, an opaque origin); to read the frame's
    document, this test's copy of the page adds allow-same-origin and nothing else.
    """
    text = (report_dir / "report.html").read_text(encoding="utf-8")
    assert text.count("sandbox='allow-scripts'") == 1
    copy = tmp_path / "framed.html"
    text = text.replace("sandbox='allow-scripts'", "sandbox='allow-scripts allow-same-origin'")
    copy.write_text(text.replace("</body>", FRAME_PROBE + "</body>"), encoding="utf-8")
    stdout = run_chromium(
        tmp_path, "--window-size=1280,900", "--dump-dom", copy.as_uri(), budget_ms=6000
    )
    found = re.search(r'<pre id="bs-frame">(.*?)</pre>', stdout, flags=re.S)
    assert found, stdout[-2000:]
    seen = json.loads(html.unescape(found.group(1)))
    assert seen["frame"][1] <= seen["viewport"]  # the frame fits the page's width
    legend = seen["legend"]
    assert legend["visibility"] == "visible"
    width, height = legend["inner"]
    assert 0 <= legend["left"] < legend["right"] <= width
    assert 0 <= legend["top"] < legend["bottom"] <= height
    assert "Reports are claims, not verified facts" in legend["text"]
    assert "Impact reported" in legend["text"]
    # the map is framed on the reports (a frame laid out late must not leave it at zoom 0)
    xs, ys = seen["icons"]["x"], seen["icons"]["y"]
    assert len(xs) == bs.load_strikes().geometry.drop_duplicates().size
    assert all(0 <= x <= width for x in xs)
    assert all(0 <= y <= height for y in ys)
    assert max(ys) - min(ys) > 0.4 * height  # spread over the frame, not one dot


def test_range_and_exposure_sections(report_dir, page):
    ranges = pd.read_csv(report_dir / "ranges.csv")
    strikes = bs.load_strikes()
    named = strikes["evidence"].isin(["direction", "claimed_firing_point"]).sum()
    assert len(ranges) == 3 * named  # three weapon classes per named report
    assert set(ranges["verdict"]) <= {
        "in_range",
        "depends_on_location",
        "only_from_forward",
        "out_of_range",
        "too_close",
    }
    exposure = pd.read_csv(report_dir / "exposure.csv")
    assert (exposure["unknown"] > 0).any()
    assert exposure.loc[exposure["unknown"] > 0, "population"].str.startswith("at least").all()
    assert "Could the weapons reach?" in page
    assert "Who lives near the line" in page
    tables = re.findall(r"<caption>Table (\d+)\.", page)
    assert tables == [str(n) for n in range(1, len(tables) + 1)]  # numbered in order


def test_a_large_table_gets_no_case_file_and_the_page_says_so(tmp_path, monkeypatch):
    import borderstrikes.report as report

    monkeypatch.setattr(report, "CASE_FILE_MAX_REPORTS", 10)
    result = report.write_report(tmp_path / "out")
    assert "case_file" not in result.files
    assert not (tmp_path / "out" / "case-file.zip").exists()
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "No case file: the report bundles one for up to 10 reports and these are 88" in page


def test_both_maps_draw_the_mortar_reach_from_claimed_firing_points(report_dir):
    svg = (report_dir / "map.svg").read_text(encoding="utf-8")
    label = "Reach of a 120 mm mortar (7.1 km) from a claimed firing point"
    assert label in svg  # a legend entry of the static map, as text
    assert label in (report_dir / "map.html").read_text(encoding="utf-8")


def test_the_manifest_lists_every_file_with_its_sha256(tmp_path):
    import hashlib

    source = tmp_path / "mine.csv"
    source.write_text("lon,lat,date,place\n45.669,39.841,2022-09-13,Jermuk\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["report", "--strikes", str(source), "--out", str(out)]) == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["command"] == "borderstrikes report"
    (read,) = manifest["inputs"]
    assert read["sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()
    listed = {entry["path"]: entry["sha256"] for entry in manifest["outputs"]}
    on_disk = {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in out.iterdir()
        if p.name not in {"manifest.json", ".borderstrikes-output"}
    }
    assert listed == on_disk  # every file, each with the hash of what is on disk
    assert {"borderstrikes", "PROJ", "GEOS"} <= set(manifest["versions"])
