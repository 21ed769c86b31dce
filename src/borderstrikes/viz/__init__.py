"""Maps: a publication map (matplotlib) and an interactive Leaflet map.

Importing this package imports neither matplotlib nor folium; the drawing
functions import them when called.
"""

from __future__ import annotations

from borderstrikes.viz.interactive import explore_strikes, interactive_map_html, save_html
from borderstrikes.viz.static import add_north_arrow, add_scale_bar, plot_strikes
from borderstrikes.viz.timeline import plot_timeline

__all__ = [
    "add_north_arrow",
    "add_scale_bar",
    "explore_strikes",
    "interactive_map_html",
    "plot_strikes",
    "plot_timeline",
    "save_html",
]
