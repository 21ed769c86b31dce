"""Command-line interface: ``borderstrikes <command>``.

The CLI only parses arguments, calls the same public functions a notebook
would, and writes files or prints tables. ``main(argv)`` returns the exit code
so tests can run it in-process.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

import pandas as pd

from borderstrikes.errors import BorderstrikesError

__all__ = ["main"]

Handler = Callable[[argparse.Namespace], int]


def _summary(args: argparse.Namespace) -> int:
    from borderstrikes.datasets import load_strikes

    strikes = load_strikes()
    if not args.all_evidence:
        strikes = strikes[~strikes["evidence"].isin(["displacement_only", "denial"])]
    print(f"{len(strikes)} reports about {strikes['place'].nunique()} places")
    if not args.all_evidence:
        print("(displacement-only and denial reports left out; --all-evidence keeps them)")
    tables = {
        "province": strikes.groupby("admin1").size(),
        "date": strikes.groupby(strikes["date"].dt.strftime("%Y-%m-%d")).size(),
        "evidence": strikes.groupby("evidence").size(),
        "place": strikes.groupby(["admin1", "place"]).size(),
    }
    for title, counts in tables.items():
        print(f"\nReports per {title}")
        print(counts.rename("reports").to_frame().to_string())
    return 0


def _parser() -> tuple[argparse.ArgumentParser, dict[str, Handler]]:
    from borderstrikes import __version__

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

    summary = commands.add_parser(
        "summary", help="count the packaged strike reports per province, date and place"
    )
    summary.add_argument(
        "--all-evidence",
        action="store_true",
        help="keep displacement-only and denial reports (left out by default)",
    )
    handlers["summary"] = _summary
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
        0 on success, 2 on a usage error, 1 on bad input data.

    Examples
    --------
    >>> main(["summary"])  # doctest: +ELLIPSIS
    78 reports about 27 places
    ...
    0
    """
    parser, handlers = _parser()
    args = parser.parse_args(argv)
    if args.show_versions:
        from borderstrikes import show_versions

        show_versions()
        return 0
    if args.command is None:
        parser.print_help()
        return 2
    try:
        with pd.option_context("display.width", 120, "display.max_rows", 200):
            return handlers[args.command](args)
    except (BorderstrikesError, OSError) as exc:
        print(f"borderstrikes {args.command}: error: {exc}", file=sys.stderr)
        return 1
