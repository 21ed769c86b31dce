"""The named layers both maps draw, computed once, as plain data.

:func:`build_layers` gathers what :func:`~borderstrikes.viz.static.plot_strikes`
and :func:`~borderstrikes.viz.interactive.explore_strikes` show, in one
:class:`MapLayers`: the context (countries, lakes, admin-1 units), the border
with a style key per section, the distance zones, the cluster footprints and
the located reports with an evidence key per report. Each map then only
projects and draws; neither computes a layer of its own.

Inputs left out come from :mod:`borderstrikes.defaults` (the shipped data).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from borderstrikes import defaults
from borderstrikes._core.validate import require_crs, to_wgs84
from borderstrikes.errors import CRSError, GeometryError
from borderstrikes.viz.style import (
    BAND_COLOURS,
    BORDER_STYLES,
    EVIDENCE_STYLES,
    NO_EVIDENCE,
    UNKNOWN_EVIDENCE,
    colour_values,
    overlay_style,
    provenance,
)

__all__ = [
    "MapLayers",
    "Overlay",
    "border_kind",
    "build_layers",
    "cluster_footprints",
    "colocated_groups",
    "day_intervals",
    "located",
    "overlay_layers",
    "polygonal",
    "stand_in",
    "zone_bands",
    "zones_at",
]

_REMOVED_IN = "0.3"


@dataclass(frozen=True)
class Overlay:
    """One overlay of a map: a label, its shapes in EPSG:4326 and its style."""

    #: Legend text and layer name, as given (escaped where it is written).
    label: str
    #: The non-empty polygons and lines, in EPSG:4326, indexed as given.
    frame: gpd.GeoDataFrame
    #: ``'area'`` (polygons only), ``'line'`` (lines only) or ``'mixed'``.
    kind: str
    #: Colour, fill opacity and dashes (:func:`~borderstrikes.viz.style.overlay_style`).
    style: dict[str, Any]


@dataclass(frozen=True)
class MapLayers:
    """The layers of a strike map, in the order they are drawn (bottom to top).

    Every frame keeps its own CRS except ``reports`` (EPSG:4326); the maps
    project them. Style keys index :mod:`borderstrikes.viz.style`.
    """

    #: Admin-0 polygons (``iso3``, ``name``).
    countries: gpd.GeoDataFrame
    #: Admin-1 polygons.
    units: gpd.GeoDataFrame
    #: Lake polygons (``name``).
    lakes: gpd.GeoDataFrame
    #: Border lines with ``kind``, a key of :data:`~borderstrikes.viz.style.BORDER_STYLES`.
    border: gpd.GeoDataFrame
    #: Zones within ``depth_km`` of the border (each includes the shallower ones), or None.
    zones: gpd.GeoDataFrame | None
    #: Cluster footprints from :func:`~borderstrikes.clustering.describe_clusters`, or None.
    footprints: gpd.GeoDataFrame | None
    #: Cluster label of each report (index of ``reports``), or None.
    cluster_labels: pd.Series | None
    #: The reports with a location, in EPSG:4326.
    reports: gpd.GeoDataFrame
    #: Evidence key of each of ``reports`` (see :func:`evidence_keys`).
    evidence: pd.Series
    #: Number of reports given, with or without a location.
    n_reports: int
    #: ISO3 code of the country the map is about.
    home: str = defaults.COUNTRY
    #: ``attrs["provenance"]`` records of the reports and the context layers.
    sources: list[dict[str, Any]] = field(default_factory=list)
    #: Shapes drawn over the map (fans, range rings, exposure rings), in legend order.
    overlays: tuple[Overlay, ...] = ()

    @property
    def border_kinds(self) -> list[str]:
        """Border sections present, in legend order."""
        return [k for k in BORDER_STYLES if (self.border["kind"] == k).any()]

    def border_label(self, kind: str | None = None) -> str:
        """Return the legend label of a border section kind (``BORDER_STYLES``).

        The shipped labels name Armenia and Azerbaijan; on a map about another
        country the sections are labelled with the ISO3 codes of the border's
        ``country_a`` and ``country_b``. ``kind=None`` labels the whole border.
        """
        default = str(BORDER_STYLES[kind or "main"]["label"])
        if self.home == defaults.COUNTRY or not {"country_a", "country_b"} <= set(self.border):
            return default
        rows = self.border if kind is None else self.border[self.border["kind"] == kind]
        pairs = sorted(
            {f"{a}–{b}" for a, b in zip(rows["country_a"], rows["country_b"], strict=True)}
        )
        return f"{', '.join(pairs)} border" if pairs else default

    @property
    def evidence_kinds(self) -> list[str]:
        """Evidence keys present, known kinds first (in legend order), then the others sorted."""
        kinds = [k for k in EVIDENCE_STYLES if (self.evidence == k).any()]
        return kinds + sorted(set(self.evidence) - set(kinds))

    @property
    def cluster_names(self) -> dict[int, str] | None:
        """Name of each cluster by label, from the footprints' ``name`` column."""
        if self.footprints is None or "name" not in self.footprints.columns:
            return None
        return {
            int(k): str(v)
            for k, v in self.footprints["name"].items()
            if isinstance(k, (int, np.integer))
        }

    def colours(self, color_by: str) -> tuple[pd.Series, dict[str, str], str]:
        """Return each report's colour category, the colour of each and the key's title.

        See :func:`borderstrikes.viz.style.colour_values`.
        """
        return colour_values(
            self.reports,
            color_by,
            evidence=self.evidence,
            cluster_labels=self.cluster_labels,
            cluster_names=self.cluster_names,
        )


def build_layers(
    strikes: gpd.GeoDataFrame | None = None,
    *,
    clusters: gpd.GeoDataFrame | pd.Series | None = None,
    zones: gpd.GeoDataFrame | None = None,
    distance_bands_km: Sequence[float] | None = None,
    border: gpd.GeoDataFrame | None = None,
    countries: gpd.GeoDataFrame | None = None,
    units_of: list[str] | None = None,
    caller: str = "build_layers",
    overlays: Any = None,
) -> MapLayers:
    """Gather the layers of a strike map.

    Parameters are those of :func:`~borderstrikes.viz.static.plot_strikes`;
    ``units_of`` limits the admin-1 units to some countries (ISO3 codes) and
    ``caller`` names the map function in deprecation warnings, which point
    at its caller. ``distance_bands_km=`` and a label Series as ``clusters=``
    work with a FutureWarning. ``overlays`` is read by :func:`overlay_layers`.

    Examples
    --------
    >>> layers = build_layers()
    >>> layers.border_kinds
    ['main', 'nakhchivan', 'exclave']
    >>> len(layers.reports) == layers.n_reports
    True
    """
    extra = overlay_layers(overlays)
    strikes = defaults.strikes(strikes)
    wgs84 = gpd.GeoDataFrame(strikes.copy(), geometry=to_wgs84(strikes, "strikes"))
    reports = wgs84[located(np.asarray(wgs84.geometry.values))]
    footprints, labels = cluster_footprints(clusters, wgs84)
    if labels is not None:
        _deprecated(
            f"{caller}(clusters=<labels from cluster_strikes>)",
            "clusters=describe_clusters(strikes, labels), and strikes.assign(cluster=labels) "
            "for color_by='cluster'",
        )
    elif "cluster" in reports.columns:
        labels = reports["cluster"]
    if distance_bands_km is not None:
        if zones is not None:
            msg = "give zones= or distance_bands_km= (deprecated), not both."
            raise TypeError(msg)
        zones = zones_at(distance_bands_km, border=border)
        depths = [float(d) for d in distance_bands_km]
        _deprecated(
            f"{caller}(distance_bands_km=...)",
            f"zones=pd.concat([buffer_zone(depth_km=d) for d in {depths}])",
        )
    border = defaults.border(border)
    countries = defaults.countries(countries)
    require_crs(border, "border")
    require_crs(countries, "countries")
    units = defaults.units(countries=units_of)
    lakes = defaults.lakes()
    return MapLayers(
        countries=countries,
        units=units,
        lakes=lakes,
        border=border.assign(kind=border["section"].map(border_kind)),
        zones=None if zones is None else _checked_zones(zones),
        footprints=footprints,
        cluster_labels=labels,
        reports=reports,
        evidence=evidence_keys(reports),
        n_reports=len(strikes),
        home=_home(border, countries),
        sources=[
            *provenance(strikes),
            *provenance(countries),
            *provenance(units),
            *provenance(border),
            *provenance(lakes),
        ],
        overlays=extra,
    )


def _home(border: gpd.GeoDataFrame, countries: gpd.GeoDataFrame) -> str:
    """Return the country the map is about: the default one, else the border's ``country_a``."""
    codes = set(countries["iso3"]) if "iso3" in countries.columns else set()
    if defaults.COUNTRY in codes or "country_a" not in border.columns or border.empty:
        return defaults.COUNTRY
    return str(border["country_a"].iloc[0])


#: Shapely type ids of the geometries an overlay may hold, and their kind.
_OVERLAY_KINDS = {
    shapely.GeometryType.LINESTRING: "line",
    shapely.GeometryType.LINEARRING: "line",
    shapely.GeometryType.MULTILINESTRING: "line",
    shapely.GeometryType.POLYGON: "area",
    shapely.GeometryType.MULTIPOLYGON: "area",
}


def overlay_layers(overlays: Any) -> tuple[Overlay, ...]:
    """Check the ``overlays=`` of a map and return them with their style.

    Parameters
    ----------
    overlays : sequence of (str, GeoDataFrame) pairs, mapping of str to GeoDataFrame, or None
        Polygons or lines to draw over the map, e.g. the output of
        :func:`borderstrikes.bearing_fans`, :func:`borderstrikes.range_rings`
        or :func:`borderstrikes.exposure_rings`, each with the label its
        legend entry shows. A GeoSeries works as well. Missing and empty
        geometries are left out.

    Returns
    -------
    tuple of Overlay
        In the order given, each in EPSG:4326 with the colour of its
        position (:func:`~borderstrikes.viz.style.overlay_style`).

    Raises
    ------
    TypeError
        If ``overlays`` is not one of the forms above.
    borderstrikes.errors.CRSError
        If an overlay has no CRS.
    borderstrikes.errors.GeometryError
        If an overlay holds points (or other non-polygon, non-line shapes).

    Examples
    --------
    >>> import geopandas
    >>> from shapely.geometry import box
    >>> square = geopandas.GeoSeries([box(45.0, 40.0, 45.1, 40.1)], crs="EPSG:4326")
    >>> [(o.label, o.kind, o.style["color"]) for o in overlay_layers({"Square": square})]
    [('Square', 'area', '#56B4E9')]
    """
    if overlays is None:
        return ()
    hint = (
        "overlays must be a sequence of (label, GeoDataFrame) pairs or a mapping of label to "
        "GeoDataFrame, e.g. overlays=[('Range of a 120 mm mortar', range_rings(points, "
        "weapon='120 mm mortar'))]"
    )
    if isinstance(overlays, Mapping):
        pairs = list(overlays.items())
    elif isinstance(overlays, (str, bytes, pd.DataFrame, gpd.GeoSeries)) or not isinstance(
        overlays, Sequence
    ):
        msg = f"{hint} (got {type(overlays).__name__})."
        raise TypeError(msg)
    else:
        pairs = list(overlays)
    found = []
    for position, pair in enumerate(pairs):
        if not (isinstance(pair, Sequence) and not isinstance(pair, str) and len(pair) == 2):
            msg = f"{hint}; item {position} is {type(pair).__name__}, not a pair."
            raise TypeError(msg)
        label, frame = pair
        if not isinstance(label, str):
            msg = f"{hint}; the label of item {position} is {type(label).__name__}, not str."
            raise TypeError(msg)
        found.append(_overlay(label, frame, position, hint))
    return tuple(found)


def _overlay(label: str, frame: Any, position: int, hint: str) -> Overlay:
    if not isinstance(frame, (gpd.GeoDataFrame, gpd.GeoSeries)):
        msg = f"{hint}; overlay {label!r} is {type(frame).__name__}."
        raise TypeError(msg)
    if frame.crs is None:
        msg = (
            f"overlay {label!r} has no CRS; call .set_crs('EPSG:4326') (or the CRS its "
            "coordinates are really in) on it first."
        )
        raise CRSError(msg)
    geoms = to_wgs84(frame, f"overlay {label!r}")
    values = np.asarray(geoms.values)
    keep = ~(shapely.is_missing(values) | shapely.is_empty(values))
    types = shapely.get_type_id(values[keep])
    bad = sorted({str(t) for t in geoms[keep].geom_type[~np.isin(types, list(_OVERLAY_KINDS))]})
    if bad:
        msg = (
            f"overlay {label!r} must hold polygons or lines (got {bad!r}). Draw points as "
            "reports, or turn them into areas first, e.g. range_rings(points, weapon=...) or "
            "exposure_rings(points, radii_km=...)."
        )
        raise GeometryError(msg)
    kinds = {_OVERLAY_KINDS[shapely.GeometryType(t)] for t in types}
    kind = kinds.pop() if len(kinds) == 1 else ("mixed" if kinds else "area")
    shapes = gpd.GeoDataFrame(geometry=geoms[keep], crs=geoms.crs)
    return Overlay(label=label, frame=shapes, kind=kind, style=overlay_style(position))


def _deprecated(old: str, new: str) -> None:
    # Attributed to the caller of the map function: map function -> build_layers -> here.
    warnings.warn(
        f"{old} is deprecated and will be removed in borderstrikes {_REMOVED_IN}; pass {new}.",
        FutureWarning,
        stacklevel=4,
    )


def evidence_keys(reports: pd.DataFrame) -> pd.Series:
    """Return each report's evidence key: its ``evidence``, ``'unknown'`` if missing.

    Every key is ``'report'`` when there is no ``evidence`` column.
    """
    if "evidence" not in reports.columns:
        return pd.Series(NO_EVIDENCE, index=reports.index, dtype=object)
    return reports["evidence"].astype(object).where(reports["evidence"].notna(), UNKNOWN_EVIDENCE)


def border_kind(section: str) -> str:
    """Return the style key of a border section: ``main``, ``nakhchivan`` or ``exclave``."""
    if section in ("main", "nakhchivan"):
        return section
    if section.startswith("section_"):  # a line derived by border_between
        return "main"
    return "exclave"


def zones_at(
    depths_km: Sequence[float], *, border: gpd.GeoDataFrame | None = None
) -> gpd.GeoDataFrame:
    """Return Armenia's zones within each depth of the border with Azerbaijan.

    One :func:`borderstrikes.areas.buffer_zone` row per depth (geodesic
    distance), ready for ``zones=`` of the map functions.

    Examples
    --------
    >>> zones_at([5, 10])["depth_km"].tolist()
    [5.0, 10.0]
    """
    from borderstrikes.areas import buffer_zone

    depths = sorted(float(d) for d in depths_km)
    if not depths or depths[0] <= 0:
        msg = f"distance_bands_km must be positive distances in km (got {list(depths_km)!r})."
        raise ValueError(msg)
    extra = {} if border is None else {"border": border}
    frames = [
        buffer_zone(defaults.COUNTRY, defaults.NEIGHBOUR, depth_km=d, **extra) for d in depths
    ]
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=frames[0].crs)


def _checked_zones(zones: Any) -> gpd.GeoDataFrame:
    if not isinstance(zones, gpd.GeoDataFrame) or "depth_km" not in zones.columns:
        msg = (
            "zones must be a GeoDataFrame with a depth_km column, e.g. "
            "pd.concat([buffer_zone(depth_km=d) for d in (5, 10, 20)]) "
            f"(got {type(zones).__name__})."
        )
        raise TypeError(msg)
    require_crs(zones, "zones")
    if not (zones["depth_km"] > 0).all():
        msg = f"zones' depth_km must be positive (got {zones['depth_km'].tolist()!r})."
        raise ValueError(msg)
    return zones


def zone_bands(zones: gpd.GeoDataFrame, crs: Any) -> gpd.GeoDataFrame:
    """Return the bands between successive zone depths, computed in ``crs``.

    One row per depth, shallowest first, with ``depth_km``, ``label`` (e.g.
    ``"5–10 km from the border"``), ``colour`` and the band (the zone minus
    the shallower one).

    Examples
    --------
    >>> zone_bands(zones_at([5, 10]), "EPSG:4326")["label"].tolist()
    ['0–5 km from the border', '5–10 km from the border']
    """
    projected = zones.to_crs(crs)
    rows = []
    inner = None
    previous = 0.0
    for i, depth in enumerate(sorted(projected["depth_km"].unique())):
        parts = projected.geometry[projected["depth_km"] == depth]
        geom = shapely.union_all(np.asarray(parts.values))
        band = geom if inner is None else shapely.difference(geom, inner)
        label = f"{previous:g}–{depth:g} km from the border"
        colour = BAND_COLOURS[min(i, len(BAND_COLOURS) - 1)]
        rows.append({"depth_km": float(depth), "label": label, "colour": colour, "geometry": band})
        inner, previous = geom, depth
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=projected.crs)


def cluster_footprints(
    clusters: Any, strikes: gpd.GeoDataFrame
) -> tuple[gpd.GeoDataFrame | None, pd.Series | None]:
    """Return the cluster footprints and, when given as labels, the per-report labels."""
    if clusters is None:
        return None, None
    if isinstance(clusters, gpd.GeoDataFrame):
        require_crs(clusters, "clusters")
        return clusters, None
    if isinstance(clusters, pd.Series):
        from borderstrikes.clustering import describe_clusters

        return describe_clusters(strikes, clusters), clusters
    msg = (
        "clusters must be a GeoDataFrame from describe_clusters() or a Series of labels "
        f"from cluster_strikes() (got {type(clusters).__name__})."
    )
    raise TypeError(msg)


def located(geoms: np.ndarray) -> np.ndarray:
    """Flag point geometries that are present, non-empty and have finite coordinates."""
    found = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    with np.errstate(invalid="ignore"):
        found &= np.isfinite(shapely.get_x(geoms)) & np.isfinite(shapely.get_y(geoms))
    return found


def polygonal(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Keep the rows with an area (a cluster at a single place has a point footprint)."""
    geoms = np.asarray(frame.geometry.values)
    keep = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    keep &= np.isin(shapely.get_type_id(geoms), [3, 6])  # Polygon, MultiPolygon
    return frame[keep]


#: Words of ``coord_source`` that mark a stand-in point (see ``data/STRIKES_SCHEMA.md``).
_STAND_IN = r"stand-in|no coordinate found"


def stand_in(reports: pd.DataFrame) -> np.ndarray:
    """Flag reports whose point stands in for a place or area it does not locate.

    A report's point is a stand-in when its ``coord_source`` says so (the
    schema's ``stand_in`` and ``stand_in_near`` places: "no coordinate
    found ...; stand-in: centre of ...") or when its ``location_precision``
    is ``'region'`` (a municipality or province centre standing for the
    whole unit: the schema's ``municipality_report``, ACLED ``geo_precision``
    3, UCDP GED ``where_prec`` 3-5).

    Examples
    --------
    >>> frame = pd.DataFrame({
    ...     "location_precision": ["settlement", "area", "region"],
    ...     "coord_source": ["GeoNames id 1", "no coordinate found; stand-in: Kapan", "x"],
    ... })
    >>> stand_in(frame).tolist()
    [False, True, True]
    """
    flags = np.zeros(len(reports), bool)
    if "coord_source" in reports.columns:
        text = (
            reports["coord_source"].astype("string").str.contains(_STAND_IN, case=False, regex=True)
        )
        flags |= text.fillna(False).to_numpy(bool)
    if "location_precision" in reports.columns:
        flags |= (reports["location_precision"] == "region").to_numpy(bool)
    return flags


def colocated_groups(
    lon: np.ndarray, lat: np.ndarray, keys: Sequence[np.ndarray] = ()
) -> tuple[np.ndarray, np.ndarray]:
    """Group reports at the same point (to 1e-5 degree, about 1 m) and with the same keys.

    Returns the group number of each report (groups numbered in order of
    first appearance) and the number of reports in each group, so that a
    map draws one marker per group, sized by its count, instead of one
    marker per report.

    Examples
    --------
    >>> group, count = colocated_groups(
    ...     np.array([45.0, 45.0, 45.000001, 46.0]), np.array([40.0, 40.0, 40.0, 40.0])
    ... )
    >>> group.tolist(), count.tolist()
    ([0, 0, 0, 1], [3, 1])
    """
    frame = pd.DataFrame(
        {"x": np.round(np.asarray(lon, float), 5), "y": np.round(np.asarray(lat, float), 5)}
    )
    for i, key in enumerate(keys):
        frame[f"k{i}"] = np.asarray(key)
    codes = frame.groupby(list(frame.columns), sort=False, dropna=False).ngroup().to_numpy()
    return codes, np.bincount(codes)


def _as_days(values: Any) -> pd.Series:
    dates = pd.to_datetime(values, errors="coerce")
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_localize(None)
    return dates.dt.normalize()


def day_intervals(reports: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Return each report's first and last day (midnight timestamps, NaT if undated).

    ``date_start`` and ``date_end`` where given, else ``date`` for both; an
    end before its start is taken as the start.

    Examples
    --------
    >>> frame = pd.DataFrame({
    ...     "date": pd.to_datetime(["2022-09-13", "2022-09-14"]),
    ...     "date_start": pd.to_datetime(["2022-09-13", None]),
    ...     "date_end": pd.to_datetime(["2022-09-14", None]),
    ... })
    >>> start, end = day_intervals(frame)
    >>> [str(d.date()) for d in start], [str(d.date()) for d in end]
    (['2022-09-13', '2022-09-14'], ['2022-09-14', '2022-09-14'])
    """
    empty = pd.Series(pd.NaT, index=reports.index, dtype="datetime64[ns]")
    date = _as_days(reports["date"]) if "date" in reports.columns else empty
    start = _as_days(reports["date_start"]) if "date_start" in reports.columns else empty
    end = _as_days(reports["date_end"]) if "date_end" in reports.columns else empty
    start = start.where(start.notna(), date)
    end = end.where(end.notna(), start)
    end = end.where(~(end < start), start)
    return start, end
