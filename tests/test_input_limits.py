"""Issue 13, the input findings: archive limits, GDAL kept local, local dates, <NA> radii.

Every archive here is small (about 50 kB) but expands a thousand times; the
limits are set low where a test needs them, and nothing of a gigabyte is made.
The GDAL tests run a loopback HTTP server that records requests (never the
internet): no request may arrive.
"""

from __future__ import annotations

import bz2
import gzip
import http.server
import struct
import threading
import time
import zipfile

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import Point

from borderstrikes.datasets import load_strikes
from borderstrikes.errors import DataFileError, StrikesValidationError
from borderstrikes.io import read_acled, read_gdelt_events, read_strikes, read_ucdp_ged
from borderstrikes.strikes import validate_strikes

MB = 2**20
ACLED_HEADER = (
    b"event_id_cnty,event_date,time_precision,event_type,sub_event_type,latitude,longitude,"
    b"geo_precision,fatalities\n"
)
UCDP_HEADER = (
    b"id,type_of_violence,where_prec,latitude,longitude,date_prec,date_start,date_end,best,low,"
    b"high\n"
)
ACLED_ROW = (
    "ARM{i},2022-09-13,1,Explosions/Remote violence,Shelling/artillery/missile attack,"
    "39.8395,45.6711,1,0\n"
)


def _zeros(sink, megabytes: int, head: bytes = b"") -> None:
    sink.write(head)
    block = b"0" * MB
    for _ in range(megabytes):
        sink.write(block)


def _zip_bomb(path, name: str, head: bytes = b"", megabytes: int = 50):
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open(name, "w", force_zip64=False) as member,
    ):
        _zeros(member, megabytes, head)
    assert path.stat().st_size < 200_000  # small on disk, 50 MB inside
    return path


def _quick(reader, *args, **kwargs):
    """Call the reader, expecting a DataFileError within a few seconds."""
    start = time.perf_counter()
    with pytest.raises(DataFileError) as caught:
        reader(*args, **kwargs)
    assert time.perf_counter() - start < 10
    return str(caught.value)


# ---------------------------------------------------------------------------- zip bombs


def test_acled_zip_bomb_stops_at_the_ratio_before_expanding(tmp_path):
    bomb = _zip_bomb(tmp_path / "acled.zip", "acled.csv", ACLED_HEADER)
    message = _quick(read_acled, bomb)
    assert "max_ratio=100" in message
    assert "zip bomb" in message
    assert "MAX_RATIO" in message  # says how to raise it


def test_gdelt_zip_bomb_stops_at_max_bytes(tmp_path):
    bomb = _zip_bomb(tmp_path / "20220913.export.CSV.zip", "20220913.export.CSV")
    message = _quick(read_gdelt_events, bomb, max_bytes=10 * MB, max_ratio=10_000)
    assert "max_bytes=10485760" in message
    assert "MAX_BYTES" in message


def test_gdelt_zip_bomb_stops_at_the_default_limits(tmp_path):
    bomb = _zip_bomb(tmp_path / "20220913.export.CSV.zip", "20220913.export.CSV")
    assert "max_ratio" in _quick(read_gdelt_events, bomb)


@pytest.mark.parametrize(("opener", "suffix"), [(gzip.open, ".gz"), (bz2.open, ".bz2")])
def test_ucdp_compressed_bomb_stops_while_streaming(tmp_path, opener, suffix):
    # gzip and bzip2 carry no trustworthy size: the limit is enforced as data comes out
    path = tmp_path / f"ged.csv{suffix}"
    with opener(path, "wb") as sink:
        _zeros(sink, 50, UCDP_HEADER)
    assert path.stat().st_size < 200_000
    assert "grew past" in _quick(read_ucdp_ged, path)


def test_zip_whose_directory_lies_about_the_size(tmp_path):
    bomb = _zip_bomb(tmp_path / "acled.zip", "acled.csv", ACLED_HEADER)
    raw = bytearray(bomb.read_bytes())
    # shrink the declared uncompressed size in the local header and the central directory
    local = raw.find(b"PK\x03\x04")
    raw[local + 22 : local + 26] = struct.pack("<I", 1000)
    central = raw.find(b"PK\x01\x02")
    raw[central + 24 : central + 28] = struct.pack("<I", 1000)
    bomb.write_bytes(bytes(raw))
    _quick(read_acled, bomb)  # refused (truncated member, bad CRC), never expanded


def test_strikes_zip_bomb(tmp_path):
    head = b'{"type": "FeatureCollection", "features": []}'
    bomb = tmp_path / "events.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("events.geojson", "w") as member:
            member.write(head)
            for _ in range(50):
                member.write(b" " * MB)
    assert "max_ratio" in _quick(read_strikes, bomb)
    assert "max_bytes" in _quick(read_strikes, bomb, max_bytes=MB, max_ratio=1e6)


def test_raised_limits_let_a_trusted_archive_through(tmp_path):
    bomb = _zip_bomb(tmp_path / "acled.zip", "acled.csv", ACLED_HEADER, megabytes=3)
    assert "max_ratio" in _quick(read_acled, bomb)
    # the archive is read (it then lacks nothing but sensible records: one empty-ish row)
    events, rejects = read_acled(bomb, max_ratio=10_000)
    assert len(events) + len(rejects) == 1


def test_compressed_files_within_the_limits_are_read(tmp_path):
    text = (ACLED_HEADER.decode() + "".join(ACLED_ROW.format(i=i) for i in range(3))).encode()
    plain = tmp_path / "acled.csv"
    plain.write_bytes(text)
    expected = read_acled(plain).events.drop(columns="geometry")
    for name, opener in (("acled.csv.gz", gzip.open), ("acled.csv.bz2", bz2.open)):
        with opener(tmp_path / name, "wb") as sink:
            sink.write(text)
        got = read_acled(tmp_path / name).events.drop(columns="geometry")
        pd.testing.assert_frame_equal(got, expected)


@pytest.mark.parametrize("bad", [0, -1, "1GB", None, True, float("nan")])
def test_limits_must_be_positive_numbers(tmp_path, bad):
    path = tmp_path / "acled.csv"
    path.write_bytes(ACLED_HEADER)
    with pytest.raises(ValueError, match="max_bytes must be a number > 0"):
        read_acled(path, max_bytes=bad)
    with pytest.raises(ValueError, match="max_ratio must be a number > 0"):
        read_gdelt_events(path, max_ratio=bad)
    from borderstrikes.io.files import MAX_BYTES, MAX_RATIO  # here: each test fails alone

    assert MAX_BYTES == 2**30
    assert MAX_RATIO == 100


# ---------------------------------------------------------------------------- GDAL stays local


class _Recorder(http.server.BaseHTTPRequestHandler):
    def _answer(self, body: bytes) -> None:
        self.server.requests.append((self.command, self.path))
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command == "GET":
            self.wfile.write(body)

    def do_GET(self):
        self._answer(_FEATURES.encode())

    def do_HEAD(self):
        self._answer(_FEATURES.encode())

    def log_message(self, *args):
        pass


_FEATURES = (
    '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
    '{"secret": "from elsewhere"}, "geometry": {"type": "Point", "coordinates": [45, 40]}}]}'
)


@pytest.fixture
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    httpd.requests = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def _url(server, name="x.geojson"):
    return f"http://127.0.0.1:{server.server_address[1]}/{name}"


def _vrt(source: str) -> str:
    return (
        '<OGRVRTDataSource><OGRVRTLayer name="x">'
        f"<SrcDataSource>{source}</SrcDataSource>"
        "</OGRVRTLayer></OGRVRTDataSource>"
    )


@pytest.mark.parametrize("name", ["remote.vrt", "remote.geojson", "remote.json", "remote"])
@pytest.mark.parametrize("prefix", ["/vsicurl/", ""])
def test_vrt_pointing_to_a_url_sends_no_request(tmp_path, server, name, prefix):
    path = tmp_path / name
    path.write_text(_vrt(prefix + _url(server)))
    message = _quick(read_strikes, path)
    assert "VRT" in message
    assert server.requests == []


def test_vrt_pointing_to_a_local_file_is_refused(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "secret.geojson").write_text(_FEATURES)
    path = tmp_path / "events.vrt"
    path.write_text(_vrt(str(elsewhere / "secret.geojson")))
    assert "VRT" in _quick(read_strikes, path)
    disguised = tmp_path / "events.geojson"
    disguised.write_text(_vrt(str(elsewhere / "secret.geojson")))
    assert "VRT" in _quick(read_strikes, disguised)


def test_vrt_inside_a_zip_is_refused(tmp_path, server):
    archive = tmp_path / "events.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("events.vrt", _vrt("/vsicurl/" + _url(server)))
    assert "virtual format" in _quick(read_strikes, archive)
    assert server.requests == []


@pytest.mark.parametrize(
    "given",
    [
        "/vsicurl/{url}",
        "{url}",
        "/vsizip/{tmp}/events.zip/events.geojson",
        "/vsicurl_streaming/{url}",
        "zip://{tmp}/events.zip",
    ],
)
def test_urls_and_gdal_virtual_paths_are_refused(tmp_path, server, given):
    with zipfile.ZipFile(tmp_path / "events.zip", "w") as z:
        z.writestr("events.geojson", _FEATURES)
    path = given.format(url=_url(server), tmp=tmp_path)
    message = _quick(read_strikes, path)
    assert "local files only" in message
    assert server.requests == []


def test_geojson_crs_link_sends_no_request(tmp_path, server):
    document = (
        '{"type": "FeatureCollection", "crs": {"type": "link", "properties": '
        f'{{"href": "{_url(server, "crs.wkt")}", "type": "ogcwkt"}}}}, "features": []}}'
    )
    path = tmp_path / "events.geojson"
    path.write_text(document)
    assert "crs member" in _quick(read_strikes, path)
    assert server.requests == []


def test_gdal_is_configured_to_open_no_url(tmp_path, server):
    # the second line of defence: even pyogrio, called directly inside the reader's
    # configuration, cannot fetch through /vsicurl/
    from borderstrikes.io.strikes import GDAL_READ_OPTIONS, _gdal_read_options  # here, too

    path = tmp_path / "remote.vrt"
    path.write_text(_vrt("/vsicurl/" + _url(server)))
    before = {name: pyogrio.get_gdal_config_option(name) for name in GDAL_READ_OPTIONS}
    with _gdal_read_options(), pytest.raises(Exception):  # noqa: B017, PT011
        pyogrio.read_dataframe(path)
    assert server.requests == []
    after = {name: pyogrio.get_gdal_config_option(name) for name in GDAL_READ_OPTIONS}
    assert after == before  # the user's own GDAL settings are back


def test_local_formats_still_read(tmp_path):
    frame = gpd.GeoDataFrame(
        {"report_id": ["A", "B"]}, geometry=[Point(45, 40), Point(45.5, 39.5)], crs="EPSG:4326"
    )
    for name, driver in (
        ("events.geojson", "GeoJSON"),
        ("events.gpkg", "GPKG"),
        ("events.fgb", "FlatGeobuf"),
        ("shp/events.shp", "ESRI Shapefile"),
    ):
        path = tmp_path / name
        path.parent.mkdir(exist_ok=True)
        frame.to_file(path, driver=driver)
        back = read_strikes(path)
        assert sorted(back["report_id"]) == ["A", "B"], name  # FlatGeobuf sorts spatially
    for folder in ("", "folder/"):  # a Shapefile zipped with or without its folder
        archive = tmp_path / "events.zip"
        with zipfile.ZipFile(archive, "w") as z:
            for part in (tmp_path / "shp").iterdir():
                z.write(part, f"{folder}{part.name}")
        assert read_strikes(archive)["report_id"].tolist() == ["A", "B"]
    named = tmp_path / "named.geojson"
    named.write_text(
        '{"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": '
        '"urn:ogc:def:crs:EPSG::32638"}}, "features": [{"type": "Feature", "properties": '
        '{"report_id": "A"}, "geometry": {"type": "Point", "coordinates": [450000, 4400000]}}]}'
    )
    assert read_strikes(named).crs.to_epsg() == 32638


# ---------------------------------------------------------------------------- local dates


def _dated(tmp_path, dates):
    features = ",".join(
        f'{{"type": "Feature", "properties": {{"report_id": "R{i}", "date": "{d}"}}, '
        '"geometry": {"type": "Point", "coordinates": [45.6, 39.8]}}'
        for i, d in enumerate(dates)
    )
    path = tmp_path / "dated.geojson"
    path.write_text(f'{{"type": "FeatureCollection", "features": [{features}]}}')
    return path


def test_mixed_offsets_keep_the_local_date(tmp_path):
    path = _dated(tmp_path, ["2022-09-13", "2022-09-14T00:30:00+04:00"])
    dates = read_strikes(path)["date"]
    assert dates.dt.strftime("%Y-%m-%d").tolist() == ["2022-09-13", "2022-09-14"]
    assert dates.iloc[1] == pd.Timestamp("2022-09-14 00:30")


def test_one_offset_is_kept(tmp_path):
    path = _dated(tmp_path, ["2022-09-13T10:00:00+04:00", "2022-09-14T00:30:00+04:00"])
    dates = read_strikes(path)["date"]
    assert dates.dt.strftime("%Y-%m-%d %z").tolist() == ["2022-09-13 +0400", "2022-09-14 +0400"]


# ---------------------------------------------------------------------------- <NA> radius


@pytest.mark.parametrize("also_too_small", [False, True])
def test_nullable_radius_with_na_names_the_row(also_too_small):
    strikes = load_strikes()
    strikes["location_radius_m"] = strikes["location_radius_m"].astype("Float64")
    strikes.loc[3, "location_radius_m"] = pd.NA
    if also_too_small:
        strikes.loc[5, "location_radius_m"] = 1.0
    with pytest.raises(StrikesValidationError, match="location_radius_m") as caught:
        validate_strikes(strikes)
    assert repr(strikes.loc[3, "report_id"]) in str(caught.value)
    if also_too_small:
        assert repr(strikes.loc[5, "report_id"]) in str(caught.value)


def test_nullable_radius_without_na_is_valid():
    strikes = load_strikes()
    strikes["location_radius_m"] = strikes["location_radius_m"].astype("Float64")
    assert validate_strikes(strikes) is strikes
    strikes["location_radius_m"] = strikes["location_radius_m"].astype("Int64")
    assert validate_strikes(strikes) is strikes
    assert np.isfinite(strikes["location_radius_m"].to_numpy(dtype=float)).all()
