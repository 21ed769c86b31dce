"""The one azimuthal equidistant projection: geodesic form against PROJ's ``aeqd``."""

import numpy as np
import pytest
from pyproj import Geod, Transformer

from borderstrikes.geodesy.projection import aeqd_crs, from_aeqd, to_aeqd

GEOD = Geod(ellps="WGS84")


@pytest.mark.parametrize(("lon0", "lat0"), [(45.5, 39.8), (-179.9, 0.0), (10.0, 85.0)])
def test_geodesic_form_agrees_with_proj_and_round_trips(lon0, lat0):
    rng = np.random.default_rng(0)
    az = rng.uniform(0, 360, 500)
    dist = rng.uniform(0, 300_000, 500)
    lon, lat, _ = GEOD.fwd(np.full(500, lon0), np.full(500, lat0), az, dist)
    x, y = to_aeqd(lon0, lat0, lon, lat)
    np.testing.assert_allclose(np.hypot(x, y), dist, atol=1e-6)  # distance from the centre
    proj = Transformer.from_crs("EPSG:4326", aeqd_crs(lon0, lat0), always_xy=True)
    px, py = proj.transform(lon, lat)
    np.testing.assert_allclose(x, px, atol=1e-5)
    np.testing.assert_allclose(y, py, atol=1e-5)
    back_lon, back_lat = from_aeqd(lon0, lat0, x, y)
    _, _, gap = GEOD.inv(back_lon, back_lat, lon, lat)
    assert np.max(gap) < 1e-6
    assert np.all(np.abs(back_lon - lon0) <= 180.0)  # continuous across the antimeridian
