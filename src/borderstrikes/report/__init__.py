"""Write the full report on a set of strike reports: tables, map and a self-contained HTML page.

This is the top layer, next to the CLI: it only calls the public functions of
the other modules (the same calls a notebook makes) and writes their results.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from borderstrikes import datasets, defaults
from borderstrikes._core.validate import require_crs
from borderstrikes.io.manifest import run_manifest, write_manifest
from borderstrikes.io.write import (
    atomic_folder,
    check_output_folder,
    credit_line,
    sources_text,
    write_csv,
    write_sources,
    write_vector,
)
from borderstrikes.report.page import PageContent, PageGeography, render_page
from borderstrikes.report.summary import place_table, summary_tables

__all__ = [
    "CASE_FILE_MAX_REPORTS",
    "ReportResult",
    "place_table",
    "summary_tables",
    "write_clusters",
    "write_report",
]

Progress = Callable[[str], None]


@dataclass
class ReportResult:
    """Paths of the files :func:`write_report` wrote, and the time each step took."""

    out_dir: Path
    files: dict[str, Path] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def _quiet(_: str) -> None:
    return None


class _Steps:
    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.seconds: dict[str, float] = {}

    def run(self, name: str, func: Callable[[], Any]) -> Any:
        self.progress(f"{name} …")
        start = time.perf_counter()
        value = func()
        self.seconds[name] = time.perf_counter() - start
        self.progress(f"{name}: done in {self.seconds[name]:.1f} s")
        return value


def _as_dates(values: pd.Series) -> pd.Series:
    """Dates of a validated table as local datetimes (a CSV gives text; offsets are dropped).

    A report's date is its local date: ``2022-09-14T00:30:00+04:00`` stays the 14th (its
    wall-clock time), never converted to UTC (the 13th).
    """
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.tz_localize(None) if values.dt.tz is not None else values
    stamps = [pd.NaT if pd.isna(v) else pd.Timestamp(v) for v in values]
    local = [s if s is pd.NaT or s.tzinfo is None else s.tz_localize(None) for s in stamps]
    return pd.Series(local, index=values.index, dtype="datetime64[ns]")


#: Columns that may hold the ISO 3166-1 alpha-3 code in a user's admin-0 file, in order.
_ISO3_COLUMNS = ("iso3", "ISO3", "iso_a3", "ISO_A3", "ADM0_A3", "adm0_a3", "A3", "GID_0")
#: Columns of a user's admin-0 file whose values credit it (e.g. the ODbL attribution).
_CREDIT_COLUMNS = ("attribution", "ATTRIBUTION", "source", "SOURCE", "credit", "license")
#: Columns that may hold the country's name, in order.
_NAME_COLUMNS = ("name", "NAME", "name_en", "NAME_EN", "ADMIN", "admin", "COUNTRY")


@dataclass(frozen=True)
class _Geography:
    """The two countries a report is about, their border and polygons (None: shipped)."""

    country: str
    neighbour: str
    names: dict[str, str]
    border: gpd.GeoDataFrame | None
    countries: gpd.GeoDataFrame | None

    @property
    def shipped(self) -> bool:
        """The shipped admin-0 polygons (user reports are checked against shipped units)."""
        return self.countries is None

    @property
    def default(self) -> bool:
        """The shipped border of the default pair (its claims, marks and gazetteer apply)."""
        return self.countries is None and self.border is None

    def page(self) -> PageGeography:
        return PageGeography(
            country=self.country,
            neighbour=self.neighbour,
            country_name=self.names.get(self.country, self.country),
            neighbour_name=self.names.get(self.neighbour, self.neighbour),
            shipped=self.default,
            credit=_boundary_credit(self.countries),
        )


def _admin0(countries: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return a user's admin-0 polygons with an ``iso3`` column, in EPSG:4326."""
    if not isinstance(countries, gpd.GeoDataFrame):
        msg = (
            "countries must be a sequence of ISO3 codes or a GeoDataFrame of admin-0 polygons "
            f"(got {type(countries).__name__})."
        )
        raise TypeError(msg)
    require_crs(countries, "countries")
    code = next((c for c in _ISO3_COLUMNS if c in countries.columns), None)
    if code is None:
        msg = (
            f"countries must have a column of ISO 3166-1 alpha-3 codes, one of {_ISO3_COLUMNS!r} "
            f"(got columns {list(countries.columns)!r})."
        )
        raise ValueError(msg)
    frame = countries.to_crs("EPSG:4326")
    frame["iso3"] = frame[code].astype(str)
    frame.attrs["provenance"] = [{"attribution": _boundary_credit(frame)}]  # credited on the maps
    return frame


def _boundary_credit(countries: gpd.GeoDataFrame | None) -> str:
    """Credit a user's admin-0 file from its attribution columns ("" for the shipped ones)."""
    if countries is None:
        return ""
    found = [
        str(value).strip()
        for column in _CREDIT_COLUMNS
        if column in countries.columns
        for value in countries[column].dropna().unique()
        if str(value).strip()
    ]
    if not found:
        return "Boundaries: the admin-0 file given with the report (it names no source)."
    return "Boundaries: " + "; ".join(dict.fromkeys(found)) + "."


def _names(countries: gpd.GeoDataFrame) -> dict[str, str]:
    """Country names by ISO3 code, from the first name column of ``countries`` (else none)."""
    column = next((c for c in _NAME_COLUMNS if c in countries.columns), None)
    if column is None:
        return {}
    return {
        str(code): str(name)
        for code, name in zip(countries["iso3"], countries[column], strict=True)
        if isinstance(name, str) and name.strip()
    }


def _geography(country: str, neighbour: str, countries: Any) -> _Geography:
    """Resolve the report's pair: the shipped border by default, else ``border_between``."""
    from borderstrikes.border import border_between

    if isinstance(countries, gpd.GeoDataFrame):
        polygons = _admin0(countries)
        border = border_between(country, neighbour, countries=polygons)
        return _Geography(country, neighbour, _names(polygons), border, polygons)
    names = _names(defaults.countries())
    if (country, neighbour) == (defaults.COUNTRY, defaults.NEIGHBOUR):
        return _Geography(country, neighbour, names, None, None)
    return _Geography(country, neighbour, names, border_between(country, neighbour), None)


def _distances(strikes: gpd.GeoDataFrame, geo: _Geography) -> pd.DataFrame:
    from borderstrikes.border import distance_to_border

    measured = distance_to_border(strikes, geo.border, country=geo.country, countries=geo.countries)
    columns = [
        "report_id",
        "place",
        "admin1",
        "date",
        "evidence",
        "claimant",
        "location_precision",
        "location_radius_m",
    ]
    table = strikes[[c for c in columns if c in strikes.columns]]
    # every other column of the input comes after the measures (a user's own columns kept)
    rest = [c for c in strikes.columns if c not in columns and c != strikes.geometry.name]
    rest = [c for c in rest if c not in measured.columns]
    # side by side, row for row: a join on labels multiplies rows when a label repeats
    table = pd.concat([table, measured.set_axis(table.index), pd.DataFrame(strikes[rest])], axis=1)
    for column in ("date", "date_start", "date_end", "source_date"):
        if column in table and pd.api.types.is_datetime64_any_dtype(table[column]):
            table[column] = table[column].dt.strftime("%Y-%m-%d")
    for column in table.columns:  # lists (weapons, spellings) as "a; b"
        if table[column].map(type).eq(list).any():
            table[column] = table[column].map(
                lambda v: "; ".join(map(str, v)) if isinstance(v, list) else v
            )
    return table


def _clusters(
    strikes: gpd.GeoDataFrame, eps_km: float, min_samples: int, geo: _Geography
) -> tuple[pd.Series, gpd.GeoDataFrame]:
    from borderstrikes.clustering import cluster_strikes, describe_clusters

    labels = cluster_strikes(strikes, eps_km=eps_km, min_samples=min_samples)
    return labels, describe_clusters(strikes, labels, border=geo.border)


#: Depths (km) of the distance zones drawn on the report's map.
_MAP_ZONES_KM = (5, 10, 20)


#: The weapon whose reach from the claimed firing points both maps draw.
_MAP_REACH_WEAPON = "mortar_120_2s12"


def _overlays(strikes: gpd.GeoDataFrame) -> list[tuple[str, gpd.GeoDataFrame]]:
    """Give the reach of a 120 mm mortar from each claimed firing point, for both maps."""
    from borderstrikes.ranges import range_rings

    claimed = strikes[strikes["evidence"] == "claimed_firing_point"]
    if claimed.empty:
        return []
    rings = range_rings(claimed, weapon=_MAP_REACH_WEAPON)
    reach = float(rings["max_range_km"].iloc[0])
    return [(f"Reach of a 120 mm mortar ({reach:g} km) from a claimed firing point", rings)]


def _map(
    strikes: gpd.GeoDataFrame,
    clusters: gpd.GeoDataFrame,
    basemap: str,
    out: Path,
    overlays: list[tuple[str, gpd.GeoDataFrame]],
    geo: _Geography,
) -> tuple[Path, Path]:
    import matplotlib.pyplot as plt

    from borderstrikes.areas import buffer_zone
    from borderstrikes.viz.static import plot_strikes, save_map

    zones = pd.concat(
        [
            buffer_zone(
                geo.country,
                geo.neighbour,
                depth_km=depth,
                border=geo.border,
                countries=geo.countries,
            )
            for depth in _MAP_ZONES_KM
        ]
    )
    fig, ax = plt.subplots(figsize=(9, 9.5), dpi=150)
    plot_strikes(
        strikes,
        ax=ax,
        basemap=basemap,
        clusters=clusters,
        zones=zones,
        overlays=overlays,
        border=geo.border,
        countries=geo.countries,
    )
    png, svg = out / "map.png", out / "map.svg"
    save_map(fig, png)
    save_map(fig, svg)
    plt.close(fig)
    return png, svg


def _timeline(
    strikes: gpd.GeoDataFrame, out: Path, geo: _Geography
) -> tuple[pd.DataFrame, pd.DataFrame, Path]:
    """Count reports per day by evidence; keep the marks in range; draw the chart."""
    import matplotlib.pyplot as plt

    from borderstrikes.timeline import report_timeline
    from borderstrikes.viz.timeline import plot_timeline

    table = report_timeline(strikes, by="evidence")
    marks = datasets.load_timeline_marks()
    if not geo.default:  # the shipped marks are about the shipped border
        marks = marks.iloc[:0]
    if len(table):
        inside = marks["time_local"].between(table["start"].min(), table["end"].max())
        marks = marks[inside]
    else:
        marks = marks.iloc[:0]
    fig, ax = plt.subplots(figsize=(9, 3.4), dpi=150, layout="constrained")
    try:
        plot_timeline(table, ax=ax, marks=marks)
        png = out / "timeline.png"
        fig.savefig(png)
    finally:
        plt.close(fig)
    return table, marks, png


def _interactive(
    strikes: gpd.GeoDataFrame,
    clusters: gpd.GeoDataFrame,
    out: Path,
    overlays: list[tuple[str, gpd.GeoDataFrame]],
    geo: _Geography,
) -> str:
    """Make the interactive map as one offline HTML document; write it to ``map.html``."""
    from borderstrikes.viz.interactive import interactive_map_html

    document = interactive_map_html(
        strikes, clusters=clusters, overlays=overlays, border=geo.border, countries=geo.countries
    )
    (out / "map.html").write_text(document, encoding="utf-8")
    return document


#: Weapon classes whose reach the report checks against the "direction" and
#: "claimed firing point" reports (ids of :func:`borderstrikes.datasets.load_weapons`).
_RANGE_WEAPONS = ("mortar_120_2s12", "howitzer_122_d30", "mrl_122_bm21")

#: Evidence kinds that name a place fire came from or went towards.
_RANGE_EVIDENCE = ("direction", "claimed_firing_point")


def _reach(strikes: gpd.GeoDataFrame, geo: _Geography) -> pd.DataFrame:
    """Range feasibility of the named-direction and claimed-firing-point reports."""
    from borderstrikes.ranges import range_check

    named = strikes[strikes["evidence"].isin(_RANGE_EVIDENCE)]
    if named.empty:
        return pd.DataFrame()
    checks = []
    for weapon in _RANGE_WEAPONS:
        checked = range_check(named, weapon=weapon, countries=geo.countries)
        checks.append(named[["report_id", "place", "evidence"]].join(checked))
    return pd.concat(checks, ignore_index=True)


def _exposure(strikes: gpd.GeoDataFrame, geo: _Geography) -> pd.DataFrame:
    """Settlements and people by distance band from the line, per province.

    Only for the shipped border: the gazetteer covers the shipped countries, so for
    another border the table is empty (header only) and the page says why.
    """
    from borderstrikes.exposure import band_summary, settlement_exposure

    if not geo.default:
        return pd.DataFrame(
            columns=["admin1_name", "band", "settlements", "with_reports", "population"]
        )
    return band_summary(settlement_exposure(strikes)).reset_index()


#: Largest number of reports the report bundles into ``case-file.zip``: the KMZ and the
#: workbook take about 1.4 ms per report each (``benchmarks/bench_report.py``), so a
#: larger table is left to ``borderstrikes export``, and the page says so.
CASE_FILE_MAX_REPORTS = 5_000

#: Columns of the report's distance table that go into the case file's workbook.
_CASE_DISTANCE_COLUMNS = (
    "distance_km",
    "signed_distance_km",
    "side",
    "section",
    "neighbour",
    "foot_lon",
    "foot_lat",
)


def _case_file(
    strikes: gpd.GeoDataFrame,
    distances: pd.DataFrame,
    labels: pd.Series,
    claims: pd.DataFrame,
    out: Path,
) -> Path:
    """Write ``case-file.zip`` (KMZ, GeoPackage, XLSX) from the tables already computed."""
    from borderstrikes.export import export

    measured = distances[[c for c in _CASE_DISTANCE_COLUMNS if c in distances.columns]]
    return export(
        strikes,
        out / "case-file.zip",
        distances=measured,
        cluster_labels=labels,
        claims=claims,
        command="borderstrikes report",
    )


#: Columns of the claims table that say where a claim comes from, taken from
#: :func:`borderstrikes.claims.load_claims` (``check_claims`` leaves them out).
_CLAIM_SOURCE_COLUMNS = ("claimant_role", "quote", "source_url", "source_outlet")


def _claims(geo: _Geography) -> pd.DataFrame:
    """Check the claims and add their sources: who, when, quote and URL first.

    The shipped claims are about the shipped border: for another border the table is
    empty (header only) and the page says how to check one's own claims.
    """
    from borderstrikes.claims import check_claims, load_claims

    table = load_claims()
    if not geo.default:  # header only: the shipped claims are not about this border
        return pd.DataFrame(columns=list(table.columns), index=table.index[:0])
    checked = check_claims(table)
    out = checked.join(table[[c for c in _CLAIM_SOURCE_COLUMNS if c in table.columns]])
    first = ["claimant", "claimant_role", "date_said", "quote", "source_outlet", "source_url"]
    order = [c for c in first if c in out.columns] + [c for c in out.columns if c not in first]
    return out[order]


#: Columns of the buffer-zone table that count gazetteer places (shipped countries only).
_GAZETTEER_COLUMNS = ["n_places", "population", "n_places_unknown_population"]


def _complete_without_units(strikes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Complete a user's reports for a border without admin-1 units: ``admin1`` left empty."""
    from borderstrikes.strikes import complete_strikes

    none = {c: None for c in ("admin1", "admin1_iso") if c not in strikes.columns}
    completed = complete_strikes(strikes.assign(**none) if none else strikes)
    defaulted = dict(completed.attrs.get("defaulted", {}))
    for column in none:
        defaulted[column] = "left empty: no admin-1 units are known for these countries"
    completed.attrs["defaulted"] = defaulted
    return completed


def write_report(
    out_dir: str | Path,
    *,
    strikes: gpd.GeoDataFrame | None = None,
    basemap: str = "offline",
    eps_km: float | None = None,
    min_samples: int | None = None,
    depths_km: Sequence[float] = (1, 2, 5, 10, 15, 20),
    countries: Sequence[str] | gpd.GeoDataFrame = (defaults.COUNTRY,),
    country: str = defaults.COUNTRY,
    neighbour: str = defaults.NEIGHBOUR,
    progress: Progress | None = None,
    force: bool = False,
    tables: Mapping[str, pd.DataFrame] | None = None,
    inputs: Sequence[str | Path] = (),
) -> ReportResult:
    """Analyse strike reports and write tables, maps and ``report.html`` to a folder.

    The folder is written all or nothing: every file goes to a temporary
    folder next to ``out_dir`` (in the same parent directory), which is
    renamed to ``out_dir`` only when everything succeeded. A failure leaves
    ``out_dir`` as it was. The CSV tables are written with
    :func:`borderstrikes.io.write.write_csv`: text cells a spreadsheet would
    run as formulas (starting with ``=``, ``+``, ``-``, ``@``, tab, CR) get a
    leading ``'``. ``SOURCES.txt`` credits the data (the event dataset and its
    licence when the reports come from ACLED, UCDP GED or GDELT).

    Parameters
    ----------
    out_dir : str or path-like
        Folder to write; created if missing. An existing folder is replaced
        as a whole (no old file survives) if it is empty or borderstrikes
        wrote it (it holds ``.borderstrikes-output``); any other folder, or a
        symbolic link, only with ``force``. An existing file is refused, before
        anything is computed.
    strikes : GeoDataFrame, optional
        Strike reports in the schema of :func:`borderstrikes.load_strikes`
        (checked with :func:`borderstrikes.validate_strikes`); default the
        packaged September 2022 reports. A minimal table (a point, ``date``
        and ``place`` per row; other columns kept) is completed first with
        :func:`borderstrikes.strikes.complete_strikes`, and the page says
        which columns were filled in and with what.
    basemap : str, default "offline"
        Passed to :func:`borderstrikes.viz.static.plot_strikes`; ``"offline"``
        needs no network.
    eps_km, min_samples : optional
        Clustering parameters; default
        :data:`borderstrikes.clustering.DEFAULT_EPS_KM` and
        :data:`borderstrikes.clustering.DEFAULT_MIN_SAMPLES`.
    depths_km : sequence of float, default (1, 2, 5, 10, 15, 20)
        Depths of the buffer-zone scenarios.
    countries : sequence of str or GeoDataFrame, default ("ARM",)
        Either the countries user reports may lie in (ISO3 codes of shipped
        countries), passed to :func:`borderstrikes.validate_strikes` (e.g.
        ``("ARM", "AZE")``), or a GeoDataFrame of the user's own admin-0
        polygons (any CRS; ISO3 codes in an ``iso3``, ``ISO_A3``, ``ADM0_A3``,
        ``A3`` or ``GID_0`` column, names in ``name`` or ``NAME`` if present),
        the ``countries=`` of :func:`borderstrikes.border_between` and
        :func:`borderstrikes.distance_to_border` (the CLI's ``--boundaries
        FILE``). The border is then ``border_between(country, neighbour,
        countries=countries)``; ``strikes`` must be given; they are completed
        but not checked against admin-1 units (there are none), and the
        tables that need shipped data (settlements and people near the line,
        the claims, the ceasefire marks, the case file) are left empty and the
        page says so.
    country, neighbour : str, default "ARM", "AZE"
        ISO3 codes of the country whose inside counts as positive and of the
        country across the border. The title, captions, map and tables name
        them.
    progress : callable, optional
        Called with a message at the start and end of each step (e.g. ``print``).
    force : bool, default False
        Replace ``out_dir`` even if it is a folder borderstrikes did not write
        (its files are deleted) or a symbolic link (the link is replaced; its
        target is left alone).
    inputs : sequence of path-like, default ()
        Files the reports were read from, recorded with their sha256 in
        ``manifest.json``.
    tables : mapping of str to DataFrame, optional
        More tables to write as CSV into the folder, by file name (e.g. the
        rows of an event file left out, with reasons); an empty table is
        written with its header only, so "none" differs from "not run".

    Returns
    -------
    ReportResult
        The paths written (``map.png``, ``map.svg``, ``map.html``,
        ``timeline.png``, ``timeline.csv``, ``places.csv``, ``exposure.csv``,
        ``ranges.csv`` (when reports name a direction or firing point),
        ``case-file.zip`` (up to :data:`CASE_FILE_MAX_REPORTS` reports;
        :func:`borderstrikes.export.export`: KMZ, GeoPackage, XLSX),
        ``distances.csv``, ``clusters.geojson``, ``buffer_zones.csv``,
        ``claims.csv``, ``report.html``, ``SOURCES.txt``, the ``tables`` and
        ``manifest.json``: the run manifest of
        :func:`borderstrikes.io.manifest.run_manifest`, every other file with
        its sha256, the ``inputs``, the parameters and the library versions)
        and the seconds each step took.

    Raises
    ------
    FileExistsError
        ``out_dir`` is a file, or (without ``force``) a symbolic link or a
        folder with files borderstrikes did not write.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:  # doctest: +SKIP
    ...     result = write_report(tmp)
    ...     sorted(p.name for p in result.files.values())
    ['SOURCES.txt', 'buffer_zones.csv', 'claims.csv', 'clusters.geojson', 'distances.csv', ...]
    """
    from borderstrikes.areas import buffer_scenarios
    from borderstrikes.clustering import DEFAULT_EPS_KM, DEFAULT_MIN_SAMPLES
    from borderstrikes.strikes import complete_strikes, validate_strikes

    out = check_output_folder(out_dir, force=force)  # fail before computing anything
    extra = dict(tables or {})
    for name in extra:
        if Path(name).name != name or not name.endswith(".csv"):
            msg = f"tables: {name!r} must be a plain file name ending in .csv"
            raise ValueError(msg)
    geo = _geography(country, neighbour, countries)
    packaged = strikes is None
    defaulted: dict[str, str] = {}
    if packaged and not geo.shipped:
        msg = (
            "strikes must be given with your own countries polygons: the packaged reports "
            "are about the shipped border (pass strikes=, or --strikes FILE on the CLI)."
        )
        raise ValueError(msg)
    if packaged:
        strikes = datasets.load_strikes()
    elif not geo.shipped:
        strikes = _complete_without_units(strikes)
        defaulted = dict(strikes.attrs.get("defaulted", {}))
        dates = {
            c: _as_dates(strikes[c]) for c in ("date", "date_start", "date_end") if c in strikes
        }
        strikes = strikes.assign(**dates)
    else:
        strikes = complete_strikes(strikes, countries=countries)  # a minimal CSV of one's own
        defaulted = dict(strikes.attrs.get("defaulted", {}))
        validate_strikes(strikes, countries=countries)
        dates = {
            c: _as_dates(strikes[c]) for c in ("date", "date_start", "date_end") if c in strikes
        }
        strikes = strikes.assign(**dates)  # a CSV gives text
    provenance = list(strikes.attrs.get("provenance", []))
    steps = _Steps(progress or _quiet)
    eps_km = DEFAULT_EPS_KM if eps_km is None else eps_km
    min_samples = DEFAULT_MIN_SAMPLES if min_samples is None else min_samples
    result = ReportResult(out_dir=out)
    names: dict[str, str] = {}

    with atomic_folder(out, force=force) as folder:
        distances = steps.run("distances to the border", lambda: _distances(strikes, geo))
        names["distances"] = write_csv(distances, folder / "distances.csv").name

        labels, clusters = steps.run(
            "clusters", lambda: _clusters(strikes, eps_km, min_samples, geo)
        )
        write_clusters(clusters, folder / "clusters.geojson")
        names["clusters"] = "clusters.geojson"

        zones = steps.run(
            "buffer-zone scenarios",
            lambda: buffer_scenarios(
                depths_km,
                country=geo.country,
                neighbour=geo.neighbour,
                border=geo.border,
                countries=geo.countries,
                strikes=strikes,
            ),
        )
        if not geo.shipped:  # no gazetteer for a user's countries: no places or people
            zones = zones.drop(columns=_GAZETTEER_COLUMNS, errors="ignore")
        names["buffer_zones"] = write_csv(zones, folder / "buffer_zones.csv", index=False).name

        claims = steps.run("claims", lambda: _claims(geo))
        # claim_id is the index of check_claims(): written as the first column
        if geo.default:  # no claims are known for another border: no file, not an empty one
            names["claims"] = write_csv(
                claims.reset_index(), folder / "claims.csv", index=False
            ).name

        reach = steps.run("weapon ranges", lambda: _reach(strikes, geo))
        if len(reach):
            names["ranges"] = write_csv(reach, folder / "ranges.csv", index=False).name
        exposure = steps.run("exposure", lambda: _exposure(strikes, geo))
        if geo.default:  # the gazetteer covers the shipped border only
            names["exposure"] = write_csv(exposure, folder / "exposure.csv", index=False).name

        places = steps.run("places", lambda: place_table(strikes, distances, labels))
        names["places"] = write_csv(places, folder / "places.csv", index=False).name

        timeline, marks, timeline_png = steps.run(
            "timeline", lambda: _timeline(strikes, folder, geo)
        )
        names["timeline"] = write_csv(timeline, folder / "timeline.csv", index=False).name
        names["timeline_png"] = timeline_png.name

        overlays = _overlays(strikes)
        png, svg = steps.run("map", lambda: _map(strikes, clusters, basemap, folder, overlays, geo))
        names["map_png"], names["map_svg"] = png.name, svg.name
        webmap = steps.run(
            "interactive map", lambda: _interactive(strikes, clusters, folder, overlays, geo)
        )
        names["map_html"] = "map.html"

        if geo.default and len(strikes) <= CASE_FILE_MAX_REPORTS:
            case = steps.run(
                "case file", lambda: _case_file(strikes, distances, labels, claims, folder)
            )
            names["case_file"] = case.name

        parameters = {
            "strikes": "packaged September 2022 reports" if packaged else f"{len(strikes)} reports",
            "eps_km": eps_km,
            "min_samples": min_samples,
            "depths_km": list(depths_km),
            "basemap": basemap,
            "ellipsoid": "WGS84",
            "country": geo.country,
            "neighbour": geo.neighbour,
            "boundaries": "shipped" if geo.shipped else "user admin-0 polygons (countries=)",
        }
        content = PageContent(
            strikes=strikes,
            distances=distances,
            labels=labels,
            clusters=clusters,
            zones=zones,
            claims=claims,
            places=places,
            reach=reach,
            exposure=exposure,
            timeline=timeline,
            marks=marks,
            map_png=png,
            timeline_png=timeline_png,
            parameters=parameters,
            provenance=provenance,
            interactive_html=webmap,
            defaulted=defaulted,
            case_file_limit=None if "case_file" in names else CASE_FILE_MAX_REPORTS,
            geography=geo.page(),
        )
        page = steps.run("HTML report", lambda: render_page(content))
        (folder / "report.html").write_text(page, encoding="utf-8")
        names["report"] = "report.html"
        for name, table in extra.items():  # e.g. the --events rows not in the report
            # written even when empty (header only): a script can tell "none" from "not run"
            names[Path(name).stem] = write_csv(table, folder / name).name
        sources = sources_text(provenance, title=f"borderstrikes report in {out.name}")
        if not geo.shipped:  # the user's boundaries first: their licence may require credit
            sources = sources.replace("\n\n", f"\n\n{_boundary_credit(geo.countries)}\n\n", 1)
        names["sources"] = write_sources(sources, folder / "SOURCES.txt").name
        manifest = run_manifest(
            command="borderstrikes report",
            inputs=list(inputs),
            parameters=parameters,
            outputs=[folder / name for name in names.values()],
        )
        for entry in manifest["outputs"]:  # names inside the folder, not the temporary path
            entry["path"] = Path(entry["path"]).name
        names["manifest"] = write_manifest(folder / "manifest.json", manifest).name
    result.files = {key: out / name for key, name in names.items()}
    result.seconds = steps.seconds
    return result


def write_clusters(
    clusters: gpd.GeoDataFrame, path: str | Path, *, layer: str | None = None
) -> None:
    """Write cluster footprints, lists joined with "; " and dates as YYYY-MM-DD.

    A ``.gpkg`` file gets (or has replaced) the layer ``layer`` (default: the
    file name without suffix), its other layers kept; a ``.csv`` file gets the
    table without footprints (through
    :func:`borderstrikes.io.write.write_csv`); any other name is written as
    GeoJSON.
    """
    path = Path(path)
    frame = clusters.reset_index(names="cluster")
    for column in frame.columns:
        if column != frame.geometry.name and frame[column].map(type).eq(list).any():
            frame[column] = frame[column].map("; ".join)
        elif pd.api.types.is_datetime64_any_dtype(frame[column]):
            frame[column] = frame[column].dt.strftime("%Y-%m-%d")
    if path.suffix.lower() == ".csv":
        write_csv(pd.DataFrame(frame.drop(columns=frame.geometry.name)), path, index=False)
        return
    driver = "GPKG" if path.suffix.lower() == ".gpkg" else "GeoJSON"
    write_vector(frame, path, layer=layer, driver=driver, description=credit_line())
