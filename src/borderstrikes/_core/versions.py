"""Versions of borderstrikes and the libraries its numbers depend on."""

from __future__ import annotations

import importlib.metadata
import platform
import sys

__all__ = ["__version__", "show_versions", "versions"]

try:
    __version__ = importlib.metadata.version("borderstrikes")
except importlib.metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
    __version__ = "0+unknown"

_DEPENDENCIES = (
    "borderstrikes",
    "geopandas",
    "shapely",
    "pyproj",
    "pyogrio",
    "numpy",
    "pandas",
    "scikit-learn",
    "matplotlib",
    "contextily",
    "folium",
    "dask-geopandas",
)


def versions() -> dict[str, dict[str, str | None]]:
    """Versions of the system, GEOS/PROJ/GDAL and the key packages, as nested dicts."""
    import pyogrio
    import pyproj
    import shapely

    system = {
        "python": sys.version.replace("\n", " "),
        "executable": sys.executable,
        "machine": platform.platform(),
    }
    libraries = {
        "GEOS": shapely.geos_version_string,
        "PROJ": pyproj.proj_version_str,
        "PROJ data": pyproj.datadir.get_data_dir(),
        "GDAL": pyogrio.__gdal_version_string__,
    }
    packages: dict[str, str | None] = {}
    for name in _DEPENDENCIES:
        try:
            packages[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            packages[name] = None
    return {"system": system, "libraries": libraries, "packages": packages}


def show_versions() -> None:
    """Print versions of Python, GEOS, PROJ, GDAL and the key dependencies.

    Paste the output into bug reports: distances and areas depend on the
    PROJ and GEOS versions as well as on borderstrikes itself.

    Examples
    --------
    >>> show_versions()  # doctest: +ELLIPSIS
    <BLANKLINE>
    SYSTEM INFO
    ...
    """
    for title, section in versions().items():
        print(f"\n{title.upper()} INFO\n{'-' * (len(title) + 5)}")
        for key, value in section.items():
            print(f"{key:>14}: {value}")
