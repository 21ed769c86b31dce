"""Points of the WGS84 ellipsoid in Earth-centred coordinates, and its local radius."""

from __future__ import annotations

import numpy as np

from borderstrikes._core.constants import A_M, E2

__all__ = ["ecef", "gaussian_radius"]


def gaussian_radius(lat: np.ndarray) -> np.ndarray:
    """Geometric mean of the principal radii of curvature, sqrt(M N), in metres."""
    s = np.sin(np.radians(lat))
    return A_M * np.sqrt(1.0 - E2) / (1.0 - E2 * s * s)


def ecef(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Earth-centred Cartesian coordinates (m) of points on the ellipsoid, shape (n, 3)."""
    lam = np.radians(lon)
    phi = np.radians(lat)
    s = np.sin(phi)
    c = np.cos(phi)
    n = A_M / np.sqrt(1.0 - E2 * s * s)
    return np.column_stack([n * c * np.cos(lam), n * c * np.sin(lam), n * (1.0 - E2) * s])
