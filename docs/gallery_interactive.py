"""The gallery's interactive map, run by ``_ext/bs_docs.py`` in the site's ``_static`` folder."""

import borderstrikes as bs

strikes = bs.load_strikes()
labels = bs.cluster_strikes(strikes, eps_km=20, min_samples=3)
clusters = bs.describe_clusters(strikes, labels)
# tiles=None: no web tiles; Leaflet is embedded, so the page works offline
m = bs.explore_strikes(strikes, clusters=clusters, tiles=None)
bs.viz.save_html(m, "interactive-map.html")
