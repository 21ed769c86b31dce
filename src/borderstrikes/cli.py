"""Command-line interface: ``borderstrikes <command>``.

The CLI only parses arguments, calls the same public functions a notebook
would, and writes files or prints tables. ``main(argv)`` returns the exit code
so tests can run it in-process.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from borderstrikes.defaults import COUNTRY, NEIGHBOUR
from borderstrikes.errors import BorderstrikesError

__all__ = ["build_parser", "main"]

Handler = Callable[[argparse.Namespace], int]


def _load(path: str | None) -> Any:
    """Load the packaged strikes, or the events in ``path`` (a vector file or a CSV)."""
    if path is None:
        from borderstrikes.datasets import load_strikes

        return load_strikes()
    from borderstrikes.io import read_strikes

    return read_strikes(path)


_READERS = {"acled": "read_acled", "ucdp": "read_ucdp_ged", "gdelt": "read_gdelt_events"}


def _read_events(args: argparse.Namespace) -> tuple[Any, pd.DataFrame]:
    """Read ``--events`` with the ``--format`` reader; say how many rows were rejected and why."""
    from borderstrikes import io as readers

    options = {key: getattr(args, key, None) for key in ("sep", "encoding", "dayfirst")}
    events, rejects = getattr(readers, _READERS[args.format])(args.events, **options)
    layout = events.attrs["provenance"][0]["layout"]
    print(
        f"read {len(events)} events from {args.events} ({layout}); {len(rejects)} row(s) rejected",
        file=sys.stderr,
    )
    for row, reason in rejects["reason"].head(10).items():
        print(f"  rejected row {row}: {reason}", file=sys.stderr)
    return events, rejects


def _strike_events(events: Any, countries: Sequence[str] = (COUNTRY,)) -> tuple[Any, pd.DataFrame]:
    """Keep the events usable as strike reports on ``countries``; say which are left out, why."""
    from borderstrikes.errors import DataFileError
    from borderstrikes.io import select_strike_reports

    strikes, left_out = select_strike_reports(events, countries=countries)
    print(
        f"{len(strikes)} event(s) used as strike reports; {len(left_out)} left out",
        file=sys.stderr,
    )
    for reason, count in left_out["reason"].value_counts().items():
        print(f"  {count} x {reason}", file=sys.stderr)
    if strikes.empty:
        names = "/".join(countries) if not isinstance(countries, str) else countries
        msg = f"none of the events can be used as a strike report on {names} (see above)."
        raise DataFileError(msg)
    return strikes, left_out


def _keep_strike_reports(strikes: Any, all_evidence: bool) -> Any:
    from borderstrikes.strikes import is_strike_report

    return strikes if all_evidence else strikes[is_strike_report(strikes)]


def _write_table(
    table: pd.DataFrame,
    output: str | None,
    *,
    index: bool = True,
    geometry: Any = None,
    layer: str | None = None,
    provenance: Sequence[dict[str, Any]] = (),
) -> None:
    """Print ``table``, or write it (CSV, or a GeoJSON / GeoPackage layer) with its credits."""
    if output is None:
        print(table.to_string(index=index))
        return
    from borderstrikes.io.write import credit_line, write_csv, write_vector

    spatial = output.lower().endswith((".geojson", ".gpkg"))
    if spatial:
        import geopandas as gpd

        if geometry is not None:
            table = gpd.GeoDataFrame(table, geometry=geometry.values, crs=geometry.crs)
        if not isinstance(table, gpd.GeoDataFrame):
            msg = f"this table has no geometry; write it to a .csv file instead of {output!r}."
            raise ValueError(msg)
        write_vector(table, output, layer=layer, description=credit_line(provenance))
    else:
        write_csv(table, output, index=index)
    _write_credits(output, provenance)
    print(f"wrote {output}", file=sys.stderr)


def _write_credits(output: str, provenance: Sequence[dict[str, Any]] = ()) -> None:
    """Write ``OUTPUT.SOURCES.txt``: the credits and licences of the data in ``output``."""
    from borderstrikes.io.write import sources_text, write_sources

    write_sources(sources_text(provenance, title=Path(output).name), f"{output}.SOURCES.txt")


def _provenance(frame: Any) -> list[dict[str, Any]]:
    return list(getattr(frame, "attrs", {}).get("provenance", []))


@contextlib.contextmanager
def _sigterm_exits() -> Iterator[None]:
    """Turn SIGTERM into ``SystemExit(143)`` so that the clean-up of a half-written run runs."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, _frame: Any) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _summary(args: argparse.Namespace) -> int:
    from borderstrikes.report import summary_tables

    every = _load(None)
    strikes = _keep_strike_reports(every, args.all_evidence)
    if not args.all_evidence:
        print(
            f"{len(every)} reports; {len(strikes)} shown: {len(every) - len(strikes)} "
            "displacement-only or denial left out (--all-evidence keeps them)"
        )
    print(f"{len(strikes)} reports about {strikes['place'].nunique()} places")
    for title, counts in summary_tables(strikes).items():
        print(f"\nReports per {title}")
        print(counts.to_frame().to_string())
    return 0


_PROGRESS_ROWS = 100_000


def _distances(args: argparse.Namespace) -> int:
    from borderstrikes.border import distance_to_border

    if args.lazy:
        return _distances_lazy(args)
    if args.progress or args.blocksize is not None:
        msg = "--progress and --blocksize go with --lazy (reading --events through dask)."
        raise ValueError(msg)
    points = _read_events(args)[0] if args.events else _load(args.strikes)
    if len(points) <= _PROGRESS_ROWS:
        table = distance_to_border(points, unit=args.unit)
    else:  # chunks only to show progress; each row's result does not depend on the others
        parts = []
        for start in range(0, len(points), _PROGRESS_ROWS):
            parts.append(
                distance_to_border(points.iloc[start : start + _PROGRESS_ROWS], unit=args.unit)
            )
            done = min(start + _PROGRESS_ROWS, len(points))
            print(f"\rdistances: {done:,}/{len(points):,} rows", end="", file=sys.stderr)
        print(file=sys.stderr)
        table = pd.concat(parts)
    keep = points[[c for c in ("report_id", "place", "date", "evidence") if c in points.columns]]
    # side by side, row for row: a join on labels multiplies rows when a label repeats
    table = pd.concat([keep, table.set_axis(keep.index)], axis=1)
    _write_table(
        table,
        args.output,
        geometry=points.geometry,
        layer=args.layer,
        provenance=_provenance(points),
    )
    return 0


def _distances_lazy(args: argparse.Namespace) -> int:
    """``distances --lazy``: many event files through dask into a folder of GeoParquet parts."""
    if not args.events or not args.output:
        msg = (
            "distances --lazy needs --events (a file, glob, folder or .zip) and -o FOLDER "
            "(written as partitioned GeoParquet)."
        )
        raise ValueError(msg)
    from borderstrikes import dask as lazy

    options = {key: getattr(args, key, None) for key in ("sep", "encoding", "dayfirst")}
    read = getattr(lazy, _READERS[args.format])(args.events, blocksize=args.blocksize, **options)
    events = read.events
    table = lazy.distance_to_border(events, unit=args.unit)
    keep = [c for c in ("report_id", "place", "date", "evidence") if c in events.columns]
    for name in table.columns:  # same partitions and index: assigned partition by partition
        events = events.assign(**{name: table[name]})
    events = events[[*keep, *table.columns, events.geometry.name]]
    lazy.to_parquet(
        events,
        args.output,
        inputs=sorted(set(read.pieces["path"])),
        parameters={
            "events": args.events,
            "format": args.format,
            "unit": args.unit,
            "blocksize": args.blocksize,
            "pieces": len(read.pieces),
        },
        command=["borderstrikes", "distances", "--lazy"],
        progress=args.progress,
        rejects=read.rejects,
    )
    print(
        f"wrote {args.output} ({len(read.pieces)} partition(s); rejected rows in "
        f"{args.output}/_rejects.csv)",
        file=sys.stderr,
    )
    return 0


def _clusters(args: argparse.Namespace) -> int:
    from borderstrikes.clustering import (
        DEFAULT_EPS_KM,
        DEFAULT_MIN_SAMPLES,
        cluster_strikes,
        describe_clusters,
    )

    if args.events:
        strikes = _strike_events(_read_events(args)[0])[0]
    else:
        strikes = _load(args.strikes)
    labels = cluster_strikes(
        strikes,
        eps_km=DEFAULT_EPS_KM if args.eps_km is None else args.eps_km,
        min_samples=DEFAULT_MIN_SAMPLES if args.min_samples is None else args.min_samples,
        time_eps_hours=args.time_eps_hours,
    )
    clusters = describe_clusters(strikes, labels)
    if args.output is None:
        print(pd.DataFrame(clusters.drop(columns=clusters.geometry.name)).to_string())
    else:
        from borderstrikes.report import write_clusters

        write_clusters(clusters, args.output, layer=args.layer)
        _write_credits(args.output, _provenance(strikes))
        print(f"wrote {args.output}", file=sys.stderr)
    return 0


def _areas(args: argparse.Namespace) -> int:
    from borderstrikes.areas import buffer_scenarios

    table = buffer_scenarios(
        args.depth_km,
        country=args.country,
        neighbour=args.neighbour,
        by_unit=args.by_unit,
        strikes=_keep_strike_reports(_load(None), args.all_evidence),
        exclude_evidence=(),
    )
    if args.output is not None:
        _write_table(table, args.output)
        return 0
    print(
        f"Land of {args.country} within each depth of the border with {args.neighbour} "
        "(geodesic, WGS84)"
    )
    rounding = {"area_km2": 1, "share_of_country_pct": 2, "share_of_unit_pct": 2}
    print(table.round(rounding).to_string())
    if not args.all_evidence:
        print("(displacement-only and denial reports left out; --all-evidence keeps them)")
    return 0


def _claims(args: argparse.Namespace) -> int:
    import textwrap

    from borderstrikes.claims import check_claims

    checked = check_claims()
    if args.output is not None:
        _write_table(checked, args.output)
        return 0
    shown = checked if args.verdict is None else checked[checked["verdict"] == args.verdict]
    for claim_id, row in shown.iterrows():
        print(
            f"{claim_id}  {row['date_said']}  {row['claimant']}: {row['kind']} "
            f"{row['claimed_value']:g} {row['unit']}  [{row['verdict']}]"
        )
        print(textwrap.indent(textwrap.fill(row["reason"], 96), "    "))
    print("\nClaims are quoted, not verified; the verdict says what the geometry allows.")
    print(checked["verdict"].value_counts().to_string())
    return 0


def _geocode(args: argparse.Namespace) -> int:
    from borderstrikes.gazetteer import geocode

    table = geocode(args.names, admin1=args.admin1)
    table["lon"], table["lat"] = table.geometry.x, table.geometry.y
    _write_table(
        pd.DataFrame(table.drop(columns=table.geometry.name)),
        args.output,
        index=False,
        geometry=table.geometry,
        layer=args.layer,
    )
    return 0


def _map(args: argparse.Namespace) -> int:
    import matplotlib.pyplot as plt

    from borderstrikes.io.write import atomic_file
    from borderstrikes.viz.static import plot_strikes, save_map

    strikes = _load(args.strikes)
    clusters = None
    if args.color_by == "cluster":  # with the defaults of `borderstrikes clusters`
        from borderstrikes.clustering import (
            DEFAULT_EPS_KM,
            DEFAULT_MIN_SAMPLES,
            cluster_strikes,
            describe_clusters,
        )

        labels = cluster_strikes(strikes, eps_km=DEFAULT_EPS_KM, min_samples=DEFAULT_MIN_SAMPLES)
        strikes = strikes.assign(cluster=labels)
        clusters = describe_clusters(strikes, labels)
    if args.html is not None:  # the interactive map instead of the image
        from borderstrikes.viz.interactive import interactive_map_html

        page = interactive_map_html(
            strikes, clusters=clusters, basemap="osm" if args.basemap == "tiles" else "offline"
        )
        with atomic_file(args.html) as temporary:
            temporary.write_text(page, encoding="utf-8")
        print(f"wrote {args.html}", file=sys.stderr)
        return 0
    fig, ax = plt.subplots(figsize=(9, 9.5), dpi=args.dpi)
    plot_strikes(strikes, ax=ax, basemap=args.basemap, color_by=args.color_by, clusters=clusters)
    try:
        with atomic_file(args.output) as temporary:
            save_map(fig, temporary)
    finally:
        plt.close(fig)
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


def _read_boundaries(path: str) -> Any:
    """Read a user's admin-0 file (any vector format GDAL reads) for ``--boundaries``."""
    import geopandas as gpd

    from borderstrikes.io.files import check_path

    return gpd.read_file(check_path(path, "--boundaries"))


#: Options naming the files a command writes (``report`` and ``export`` put a manifest.json
#: into their own folder or archive; a folder written by ``--lazy`` has its own too).
_OUTPUT_OPTIONS = ("output", "html")
#: Options naming the files a command reads.
_INPUT_OPTIONS = ("strikes", "events", "boundaries")


def _write_run_manifests(args: argparse.Namespace, argv: Sequence[str]) -> list[Path]:
    """Write ``OUTPUT.manifest.json`` next to each file the command wrote with ``-o``/``--html``.

    The manifest (:func:`borderstrikes.io.manifest.run_manifest`) records the command line,
    the input files with their sha256, every option, the library versions, and the output
    with its ``OUTPUT.SOURCES.txt``, each with its sha256.
    """
    from borderstrikes.io.manifest import run_manifest, write_manifest

    if args.command in ("report", "export"):
        return []
    inputs = [
        value
        for name in _INPUT_OPTIONS
        if isinstance(value := getattr(args, name, None), str) and Path(value).is_file()
    ]
    parameters = {
        key: value
        for key, value in sorted(vars(args).items())
        if isinstance(value, str | int | float | bool | list | type(None))
    }
    written = []
    # map --html writes the web page instead of the image (-o keeps its default then)
    names = ("html",) if getattr(args, "html", None) is not None else _OUTPUT_OPTIONS
    for name in names:
        output = getattr(args, name, None)
        if not isinstance(output, str) or not Path(output).is_file():
            continue  # not given, or a folder (distances --lazy writes its own manifest)
        outputs = [output, *[p for p in (f"{output}.SOURCES.txt",) if Path(p).is_file()]]
        manifest = run_manifest(
            command=["borderstrikes", *argv],
            inputs=inputs,
            parameters=parameters,
            outputs=outputs,
        )
        written.append(write_manifest(f"{output}.manifest.json", manifest))
        print(f"wrote {output}.manifest.json", file=sys.stderr)
    return written


def _report(args: argparse.Namespace) -> int:
    from borderstrikes.io.write import check_output_folder
    from borderstrikes.report import write_report

    check_output_folder(args.out, force=args.force)  # before reading or computing anything
    countries: Any = args.countries
    if args.boundaries is not None:  # the user's admin-0 polygons: countries= of the library
        if args.events or args.strikes is None:
            msg = "report --boundaries needs --strikes FILE (reports on that border), not --events."
            raise ValueError(msg)
        countries = _read_boundaries(args.boundaries)
    strikes = None if args.strikes is None else _load(args.strikes)
    tables = {}
    if args.events:
        events, tables["events_rejected.csv"] = _read_events(args)
        strikes, tables["events_left_out.csv"] = _strike_events(events, args.countries)
    # Written to a temporary folder next to --out, renamed into place only on success:
    # a failure (or SIGTERM, see main) leaves --out as it was.
    result = write_report(
        args.out,
        strikes=strikes,
        basemap=args.basemap,
        countries=countries,
        country=args.country,
        neighbour=args.neighbour,
        progress=lambda message: print(message, file=sys.stderr),
        force=args.force,
        tables=tables,
        inputs=[p for p in (args.strikes, args.events, args.boundaries) if p is not None],
    )
    for path in result.files.values():
        print(path)
    return 0


def _export(args: argparse.Namespace) -> int:
    from borderstrikes.export import export

    if Path(args.out).suffix.lower() != ".zip":
        from borderstrikes.io.write import check_output_folder

        check_output_folder(args.out, force=args.force)  # before reading or computing anything
    inputs = []
    if args.events:
        strikes = _strike_events(_read_events(args)[0], args.countries)[0]
        inputs.append(args.events)
    else:
        strikes = _load(args.strikes)
        if args.strikes is not None:
            inputs.append(args.strikes)
    path = export(
        strikes,
        args.out,
        formats=args.formats,
        circles=not args.no_circles,
        inputs=inputs,
        command="borderstrikes export",
        force=args.force,
    )
    print(path)
    return 0


def _select_evidence(strikes: Any, evidence: Sequence[str] | None) -> Any:
    """Keep the reports whose ``evidence`` is one of ``evidence`` (all when None)."""
    if evidence is None or "evidence" not in strikes.columns:
        return strikes
    return strikes[strikes["evidence"].isin(evidence)]


def _report_columns(strikes: Any, table: pd.DataFrame) -> pd.DataFrame:
    keep = strikes[[c for c in ("report_id", "place", "date", "evidence") if c in strikes]]
    return pd.concat([keep, table.set_axis(keep.index)], axis=1)


def _fans(args: argparse.Namespace) -> int:
    from borderstrikes.origin import bearing_fans, fan_crossings, triangulate

    strikes = _select_evidence(_load(args.strikes), args.evidence)
    if "report_id" in strikes and strikes["report_id"].is_unique:
        strikes = strikes.set_axis(pd.Index(strikes["report_id"].to_numpy()))  # fans by report
    direction: Any = args.direction
    try:
        direction = float(direction)
    except ValueError:
        pass
    fans = bearing_fans(
        strikes,
        direction=direction,
        max_range_km=args.max_range_km,
        min_range_km=args.min_range_km,
        half_width_deg=args.half_width_deg,
    )
    if args.output is not None:
        keep = strikes[[c for c in ("report_id", "place", "date") if c in strikes]]
        frame = pd.concat([keep, fans.set_axis(keep.index)], axis=1)
        _write_table(
            frame.drop(columns=fans.geometry.name),
            args.output,
            geometry=fans.geometry,
            layer=args.layer,
            provenance=_provenance(strikes),
        )
        return 0
    hits = fan_crossings(fans)
    print(
        f"{len(fans)} fan(s): fire from {args.direction} "
        f"(±{fans['half_width_deg'].iloc[0] if len(fans) else 0:g}°), "
        f"{args.min_range_km:g}-{args.max_range_km:g} km (geodesic, WGS84)"
    )
    print(hits.round(2).to_string(index=False))
    if args.triangulate and len(fans):
        areas = triangulate(fans)
        print("\nArea covered by at least k fans (the first row: the most likely origin)")
        print(pd.DataFrame(areas.drop(columns=areas.geometry.name)).round(3).to_string())
    return 0


_RANGE_EVIDENCE = ["claimed_firing_point", "direction"]


def _range(args: argparse.Namespace) -> int:
    from borderstrikes.ranges import range_check

    strikes = _select_evidence(_load(args.strikes), args.evidence)
    parts = [
        _report_columns(strikes, range_check(strikes, weapon=w, extended=args.extended))
        for w in args.weapon
    ]
    table = pd.concat(parts) if parts else pd.DataFrame()
    if args.output is not None:
        _write_table(table, args.output, index=False, provenance=_provenance(strikes))
        return 0
    shown = table.drop(columns=["reason", "min_range_km", "location_radius_km"], errors="ignore")
    numbers = shown.select_dtypes("number").columns
    print(shown.round(dict.fromkeys(numbers, 1)).to_string(index=False))
    print(
        "\nforward_*_km: how far past the line (towards the report) the weapon must have "
        "stood,\nover the report's location radius; ranges are cited in data/weapons.csv."
    )
    return 0


def _exposure(args: argparse.Namespace) -> int:
    import re

    from borderstrikes.exposure import band_summary, settlement_exposure, strike_exposure

    strikes = _keep_strike_reports(_load(args.strikes), args.all_evidence)
    if args.settlements:
        table = settlement_exposure(strikes, bands_km=args.bands_km)
        if args.output is not None:
            _write_table(table, args.output, provenance=_provenance(table))
            return 0
        shown = table.drop(columns=["report_ids"]).round(2)
        print(shown.to_string())
        print("\nTotals per band (population: settlements of unknown population make it a lower")
        print("bound, never zero)")
        print(band_summary(table).to_string())
        return 0
    by = None
    if args.by_cluster:
        from borderstrikes.clustering import (
            DEFAULT_EPS_KM,
            DEFAULT_MIN_SAMPLES,
            cluster_strikes,
        )

        by = cluster_strikes(strikes, eps_km=DEFAULT_EPS_KM, min_samples=DEFAULT_MIN_SAMPLES)
    table = strike_exposure(strikes, radii_km=args.radii_km, by=by)
    if by is None:
        table = _report_columns(strikes, table)
    if args.output is not None:
        _write_table(table, args.output, provenance=_provenance(strikes))
        return 0
    words = ["report_id", "place", "n_strikes"] + [c for c in table if c.startswith("places_")]
    words += [c for c in table if re.fullmatch(r"population_[0-9.]+km", str(c))]
    print(table[[c for c in words if c in table]].to_string())
    return 0


_COLOR_BY = ("evidence", "date", "weapon", "cluster")
_MAX_DPI = 600  # a 9 x 9.5 inch map at 600 dpi is already 31 million pixels


def _dpi(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= _MAX_DPI:
        msg = f"must be an integer from 1 to {_MAX_DPI} (got {text!r})"
        raise argparse.ArgumentTypeError(msg)
    return value


def build_parser() -> argparse.ArgumentParser:
    """Return the command-line parser (every subcommand and option), e.g. for the docs."""
    return _parser()[0]


def _parser() -> tuple[argparse.ArgumentParser, dict[str, Handler]]:
    from borderstrikes._core.versions import __version__

    parser = argparse.ArgumentParser(
        prog="borderstrikes",
        description="Geodesic analysis of reported strikes along contested borders.",
    )
    parser.add_argument("--version", action="version", version=f"borderstrikes {__version__}")
    parser.add_argument(
        "-v",
        "--show-versions",
        action="store_true",
        help="print versions of borderstrikes, GEOS, PROJ, GDAL and dependencies, then exit",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    handlers: dict[str, Handler] = {}
    strikes_help = (
        "GeoJSON/GeoPackage/CSV of reports (default: the packaged September 2022 reports)"
    )
    output_help = (
        "output file (.csv, or .geojson/.gpkg), with its credits in OUTPUT.SOURCES.txt; "
        "default: print a table"
    )
    layer_help = "layer name in a .gpkg output (default: the file name); other layers are kept"

    def add_events(command: argparse.ArgumentParser) -> None:
        command.add_argument(
            "--events",
            metavar="FILE",
            help="an ACLED, UCDP GED or GDELT event file to use instead of strike reports",
        )
        command.add_argument(
            "--format", choices=sorted(_READERS), help="the dataset the --events file comes from"
        )
        command.add_argument(
            "--sep", help="field separator of --events (default: recognised from its header)"
        )
        command.add_argument(
            "--encoding",
            help="text encoding of --events, e.g. cp1252 or utf-16 (default: recognised)",
        )
        order = command.add_mutually_exclusive_group()
        order.add_argument(
            "--dayfirst",
            dest="dayfirst",
            action="store_const",
            const=True,
            default=None,
            help="numbers-only dates of --events are day-first (13/09/2022)",
        )
        order.add_argument(
            "--monthfirst",
            dest="dayfirst",
            action="store_const",
            const=False,
            help="numbers-only dates of --events are month-first, US style (09/13/2022)",
        )

    summary = commands.add_parser(
        "summary", help="count the packaged strike reports per province, date and place"
    )
    summary.add_argument(
        "--all-evidence",
        action="store_true",
        help="keep displacement-only and denial reports (left out by default)",
    )
    handlers["summary"] = _summary

    report = commands.add_parser(
        "report", help="write map, tables and a self-contained report.html to a folder"
    )
    report.add_argument("--strikes", help=strikes_help)
    add_events(report)
    report.add_argument(
        "--out",
        default="borderstrikes-report",
        help="output folder, written all at once; an existing one is replaced only if "
        "borderstrikes wrote it or it is empty (default: borderstrikes-report)",
    )
    report.add_argument(
        "--force",
        action="store_true",
        help="replace --out even if it is another folder (its files are deleted) or a "
        "symbolic link (the link is replaced, its target left alone)",
    )
    report.add_argument(
        "--countries",
        nargs="+",
        default=[COUNTRY],
        metavar="ISO3",
        help=f"countries the reports may lie in (default {COUNTRY}; e.g. --countries "
        f"{COUNTRY} {NEIGHBOUR})",
    )
    report.add_argument(
        "--boundaries",
        metavar="FILE",
        help="your own admin-0 polygons (GeoJSON, GeoPackage, ...; ISO3 codes in an iso3, "
        "ISO_A3, ADM0_A3, A3 or GID_0 column): the report is about the border of --country "
        "and --neighbour in this file (countries= in Python); needs --strikes",
    )
    report.add_argument(
        "--country",
        default=COUNTRY,
        metavar="ISO3",
        help=f"the country whose inside counts as positive (default {COUNTRY})",
    )
    report.add_argument(
        "--neighbour",
        default=NEIGHBOUR,
        metavar="ISO3",
        help=f"the country across the border (default {NEIGHBOUR})",
    )
    report.add_argument(
        "--basemap", default="offline", help="offline (default), auto, tiles or a GeoTIFF path"
    )
    handlers["report"] = _report

    distances = commands.add_parser(
        "distances", help="geodesic distance of each report to the border"
    )
    distances.add_argument("strikes", nargs="?", help=strikes_help)
    distances.add_argument("-o", "--output", help=output_help)
    distances.add_argument("--layer", help=layer_help)
    distances.add_argument("--unit", default="km", choices=["m", "km", "nmi"])
    add_events(distances)
    distances.add_argument(
        "--lazy",
        action="store_true",
        help="read --events through dask, one partition per file (a glob, folder or .zip of "
        "many files); -o is then a folder of partitioned GeoParquet with _manifest.json",
    )
    distances.add_argument(
        "--blocksize",
        type=int,
        metavar="BYTES",
        help="with --lazy: split each big uncompressed CSV into blocks of about BYTES",
    )
    distances.add_argument(
        "--progress",
        action="store_true",
        help="with --lazy: show dask's progress bar on stderr (quiet by default)",
    )
    handlers["distances"] = _distances

    clusters = commands.add_parser("clusters", help="space(-time) clusters of the reports")
    clusters.add_argument("strikes", nargs="?", help=strikes_help)
    clusters.add_argument("--eps-km", type=float, default=None, help="neighbourhood radius, km")
    clusters.add_argument("--min-samples", type=int, default=None)
    clusters.add_argument("--time-eps-hours", type=float, default=None)
    clusters.add_argument(
        "-o", "--output", help="output .geojson/.gpkg (or .csv, without footprints)"
    )
    clusters.add_argument("--layer", help=layer_help)
    add_events(clusters)
    handlers["clusters"] = _clusters

    areas = commands.add_parser(
        "areas", help="buffer-zone scenarios: area within D km of the border"
    )
    areas.add_argument("--depth-km", type=float, nargs="+", default=[1, 2, 5, 10, 15, 20])
    areas.add_argument("--country", default=COUNTRY)
    areas.add_argument("--neighbour", default=NEIGHBOUR)
    areas.add_argument("--by-unit", action="store_true", help="break areas down by admin-1 unit")
    areas.add_argument(
        "--all-evidence",
        action="store_true",
        help="count displacement-only and denial reports too (left out by default)",
    )
    areas.add_argument("-o", "--output", help=output_help)
    handlers["areas"] = _areas

    claims = commands.add_parser("claims", help="territorial claims checked against the geometry")
    claims.add_argument("--verdict", choices=["consistent", "inconsistent", "not_checkable"])
    claims.add_argument("-o", "--output", help="output .csv; default: print the verdicts")
    handlers["claims"] = _claims

    geocode = commands.add_parser("geocode", help="look place names up in the offline gazetteer")
    geocode.add_argument("names", nargs="+")
    geocode.add_argument("--admin1", help="province hint, e.g. Syunik or AM-SU")
    geocode.add_argument("-o", "--output", help=output_help)
    geocode.add_argument("--layer", help=layer_help)
    handlers["geocode"] = _geocode

    map_ = commands.add_parser("map", help="draw a publication map of the reports")
    map_.add_argument("strikes", nargs="?", help=strikes_help)
    map_.add_argument("-o", "--output", default="map.png", help="image file (.png, .svg, .pdf)")
    map_.add_argument(
        "--basemap", default="offline", help="offline (default), auto, tiles or a GeoTIFF"
    )
    map_.add_argument(
        "--color-by",
        default="evidence",
        choices=_COLOR_BY,
        help="what the marker colour shows (default evidence); cluster colours the clusters "
        "found with the defaults of the clusters command",
    )
    map_.add_argument(
        "--dpi", type=_dpi, default=150, help=f"resolution, 1 to {_MAX_DPI} (default 150)"
    )
    map_.add_argument(
        "--html",
        metavar="FILE.html",
        help="write the interactive map instead (one self-contained HTML page that works "
        "offline; --basemap tiles adds OpenStreetMap tiles, any other basemap draws none)",
    )
    handlers["map"] = _map

    evidence_help = "keep only reports with this evidence kind (repeatable)"
    fans = commands.add_parser(
        "fans", help="bearing fans from impacts: border sections and countries they reach"
    )
    fans.add_argument("strikes", nargs="?", help=strikes_help)
    fans.add_argument(
        "--direction", required=True, help="where fire came from: a compass point or degrees"
    )
    fans.add_argument("--max-range-km", type=float, required=True)
    fans.add_argument("--min-range-km", type=float, default=0.0)
    fans.add_argument("--half-width-deg", type=float, default=None, help="default 11.25")
    fans.add_argument("--evidence", nargs="+", default=["impact"], help=evidence_help)
    fans.add_argument("--triangulate", action="store_true", help="intersect the fans")
    fans.add_argument("-o", "--output", help=output_help)
    fans.add_argument("--layer", help=layer_help)
    handlers["fans"] = _fans

    range_ = commands.add_parser(
        "range", help="could the weapon reach: distance to the line against cited ranges"
    )
    range_.add_argument("strikes", nargs="?", help=strikes_help)
    range_.add_argument(
        "--weapon",
        nargs="+",
        default=["120 mm mortar"],
        help="weapon_id or alias from data/weapons.csv (default: 120 mm mortar)",
    )
    range_.add_argument("--evidence", nargs="+", default=_RANGE_EVIDENCE, help=evidence_help)
    range_.add_argument(
        "--extended", action="store_true", help="use extended-range ammunition where cited"
    )
    range_.add_argument("-o", "--output", help="output .csv; default: print the table")
    handlers["range"] = _range

    export_ = commands.add_parser(
        "export",
        help="write the case file: KMZ (Google Earth), GeoPackage with QGIS styles, XLSX "
        "workbook and run manifest",
    )
    export_.add_argument("strikes", nargs="?", help=strikes_help)
    add_events(export_)
    export_.add_argument(
        "--countries", nargs="+", default=[COUNTRY], metavar="ISO3",
        help=f"with --events: countries the reports may lie in (default {COUNTRY})",
    )
    export_.add_argument(
        "-o", "--out", default="borderstrikes-case",
        help="output folder (written all at once), or a .zip file (default: borderstrikes-case)",
    )
    export_.add_argument(
        "--formats", nargs="+", choices=["kmz", "gpkg", "xlsx"], default=["kmz", "gpkg", "xlsx"]
    )
    export_.add_argument(
        "--no-circles", action="store_true", help="leave out the location-precision circles"
    )
    export_.add_argument(
        "--force", action="store_true", help="replace an --out folder borderstrikes did not write"
    )
    handlers["export"] = _export

    exposure = commands.add_parser(
        "exposure", help="settlements and population within reach of strikes or of the line"
    )
    exposure.add_argument("strikes", nargs="?", help=strikes_help)
    exposure.add_argument("--radii-km", type=float, nargs="+", default=[1, 2, 5])
    exposure.add_argument(
        "--by-cluster", action="store_true", help="one row per cluster (clusters defaults)"
    )
    exposure.add_argument(
        "--settlements",
        action="store_true",
        help=f"list the settlements of {COUNTRY} by distance band from the line instead",
    )
    exposure.add_argument("--bands-km", type=float, nargs="+", default=[0, 5, 20])
    exposure.add_argument(
        "--all-evidence",
        action="store_true",
        help="keep displacement-only and denial reports (left out by default)",
    )
    exposure.add_argument("-o", "--output", help=output_help)
    handlers["exposure"] = _exposure
    return parser, handlers


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``borderstrikes`` command line and return its exit code.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name; default ``sys.argv[1:]``.

    Returns
    -------
    int
        0 on success, 1 on bad input data, 2 when no command is given.
        Other usage errors (unknown option, bad value) exit through
        argparse's ``SystemExit(2)``, as ``--version`` exits with
        ``SystemExit(0)``.

    Examples
    --------
    >>> main(["summary"])  # doctest: +ELLIPSIS
    88 reports; 78 shown: 10 displacement-only or denial left out (--all-evidence keeps them)
    78 reports about 27 places
    ...
    0
    """
    parser, handlers = _parser()
    args = parser.parse_args(argv)
    if args.show_versions:
        from borderstrikes._core.versions import show_versions

        show_versions()
        return 0
    if args.command is None:
        parser.print_help()
        return 2
    if getattr(args, "events", None) is not None:
        if args.format is None:
            parser.error(f"{args.command}: --events needs --format (acled, ucdp or gdelt)")
        if args.strikes is not None:
            parser.error(f"{args.command}: give either strike reports or --events, not both")
    try:
        with (
            _sigterm_exits(),  # so a killed command still removes its temporary files
            pd.option_context("display.width", 120, "display.max_rows", 200),
        ):
            code = handlers[args.command](args)
            if code == 0:
                _write_run_manifests(args, sys.argv[1:] if argv is None else argv)
            return code
    except (BorderstrikesError, OSError, ValueError) as exc:
        print(f"borderstrikes {args.command}: error: {exc}", file=sys.stderr)
        return 1
