"""Sphinx configuration of the borderstrikes documentation (built offline, warnings as errors).

Build: ``python -m sphinx -W --keep-going -b html docs docs/_build/html``. Nothing is fetched
from the network: no intersphinx, no remote images, no CDN scripts (widgets and MathJax are not
used); the notebooks are executed, and the gallery figures drawn, at build time.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "_ext"))

import borderstrikes

project = "borderstrikes"
author = "borderstrikes developers"
copyright = "borderstrikes developers (MIT); data: see Data provenance and licences"
release = borderstrikes.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "myst_nb",
    "matplotlib.sphinxext.plot_directive",
    "sphinxarg.ext",
    "bs_docs",
]

exclude_patterns = ["_build", "_ext", "**.ipynb_checkpoints", "jupyter_execute"]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
root_doc = "index"

# -- API reference (written from __all__ by _ext/bs_docs.py) ---------------------------------
autodoc_typehints = "none"  # the numpydoc Parameters sections carry the types
autodoc_member_order = "bysource"
autosummary_generate = False  # bs_docs writes the pages itself
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# -- Markdown and notebooks (myst-nb) -----------------------------------------------------
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
nb_execution_mode = "force"  # every build runs the notebooks; a failing cell fails the build
nb_execution_raise_on_error = True
nb_execution_timeout = 300
nb_ipywidgets_js = {}  # no widget scripts from a CDN
nb_merge_streams = True

# -- Gallery figures (matplotlib's plot directive, drawn at build time) ------------------------
plot_include_source = True
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 96)]
plot_pre_code = "import borderstrikes as bs\nimport matplotlib.pyplot as plt\n"
plot_rcparams = {"figure.max_open_warning": 0}

# -- HTML ----------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"borderstrikes {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "navbar_end": ["theme-switcher"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_static_path = ["_static"]
html_css_files = ["borderstrikes.css"]
html_show_sourcelink = False
html_copy_source = False
