"""The documentation site: built offline with warnings as errors, then read as a user would.

One module-scoped build (Sphinx in a subprocess, ``-W``, into a temporary folder; the notebooks
are executed and the gallery drawn) is served on 127.0.0.1 and opened with headless Chromium
(``tests/browser.py``): the API page of ``distance_to_border`` and the offline search. The
reference is checked against ``borderstrikes.__all__`` and the ``__all__`` of each public module,
read here, not from the generator. Budget: about 40 s on an idle 2-core machine, most of it the
build.
"""

import argparse
import functools
import html
import http.server
import importlib
import inspect
import re
import subprocess
import sys
import threading
import warnings
from pathlib import Path

import pytest

import borderstrikes

sys.path.insert(0, str(Path(__file__).parent))
from browser import IN_CI, run_chromium

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
DEPRECATED = {"distributed", "interactive", "plotting", "readers"}
OBJECT_ID = re.compile(r'<dt class="sig sig-object py" id="([^"]+)"')


def _sphinx_or_skip():
    try:
        import myst_nb  # noqa: F401
        import sphinx  # noqa: F401
    except ImportError:
        if IN_CI:
            pytest.fail('the docs tools are missing; .ci/run installs ".[test]" (needs "[docs]")')
        pytest.skip('sphinx is not installed (pip install -e ".[docs]")')


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    _sphinx_or_skip()
    out = tmp_path_factory.mktemp("docs")
    command = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
               "-d", str(out / "doctrees"), str(DOCS), str(out / "html")]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    return out / "html"


@pytest.fixture(scope="module")
def server(site):
    handler = functools.partial(QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def documented_ids(site):
    ids = set()
    for page in (site / "api").rglob("*.html"):
        ids.update(OBJECT_ID.findall(page.read_text(encoding="utf-8")))
    return ids


def resolve(path):
    """The object a dotted ``borderstrikes...`` path names (module attribute or module)."""
    module, _, name = path.rpartition(".")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return getattr(importlib.import_module(module), name)


def test_the_site_is_offline_and_complete(site):
    pages = {p.relative_to(site).as_posix() for p in site.rglob("*.html")}  # interactive map too
    expected = {
        "index.html", "search.html", "gallery.html", "bad_input.html", "event_schema.html",
        "user-guide/installation.html", "user-guide/first-analysis.html",
        "user-guide/own-events.html", "user-guide/dask.html", "user-guide/cli.html",
        "notebooks/01_september_2022.html", "notebooks/02_your_own_events.html",
        "methods/distance.html", "methods/clustering.html", "methods/areas.html",
        "methods/uncertainty.html", "methods/claims.html", "methods/provenance.html",
        "methods/limitations.html", "api/index.html", "user-guide/index.html",
        "methods/index.html",
    }  # fmt: skip
    assert expected <= pages
    remote = re.compile(
        r'<(?:script|img|iframe)[^>]*\ssrc="(?:https?:)?//|<link[^>]*\shref="(?:https?:)?//'
    )
    for name in pages:
        text = (site / name).read_text(encoding="utf-8")
        assert not remote.search(text), f"{name} loads something from the network"
    # the notebooks and the executed guide page were run: their cells have outputs
    for name in ("notebooks/01_september_2022.html", "notebooks/02_your_own_events.html",
                 "user-guide/first-analysis.html"):  # fmt: skip
        assert (site / name).read_text(encoding="utf-8").count('class="cell_output') >= 3, name
    gallery = (site / "gallery.html").read_text(encoding="utf-8")
    figures = (DOCS / "gallery.rst").read_text(encoding="utf-8").count("\n.. plot::")
    assert len(re.findall(r'<img[^>]*class="plot-directive"', gallery)) == figures >= 5
    assert '<iframe src="_static/interactive-map.html"' in gallery
    assert (site / "_static" / "interactive-map.html").stat().st_size > 100_000


def test_every_public_name_is_in_the_reference(site):
    ids = documented_ids(site)
    objects = {}
    for path in ids:
        try:
            objects.setdefault(id(resolve(path)), path)
        except (ImportError, AttributeError):
            pass
    sections = set()
    for page in (site / "api").glob("*.html"):
        sections.update(re.findall(r'id="module-([\w.]+)"', page.read_text(encoding="utf-8")))
    deprecated = (site / "api" / "deprecated.html").read_text(encoding="utf-8")
    missing = []
    for name in borderstrikes.__all__:
        if name in DEPRECATED:  # a module alias that warns on import: listed, not documented
            if f"borderstrikes.{name}" not in deprecated:
                missing.append(name)
            continue
        obj = getattr(borderstrikes, name)
        if not inspect.ismodule(obj):
            if f"borderstrikes.{name}" not in ids and id(obj) not in objects:
                missing.append(name)
            continue
        if obj.__name__ not in sections:
            missing.append(name)
        for sub in getattr(obj, "__all__", []):
            value = getattr(obj, sub)
            public = inspect.isclass(value) or inspect.isfunction(value)
            if public and id(value) not in objects:
                missing.append(f"{obj.__name__}.{sub}")
    assert not missing, f"not in the API reference: {missing}"


def test_cli_page_lists_every_subcommand(site):
    from borderstrikes.cli import build_parser

    parser = build_parser()
    (subparsers,) = [a for a in parser._actions if a.choices and a.dest == "command"]
    page = (site / "user-guide" / "cli.html").read_text(encoding="utf-8")
    text = html.unescape(re.sub(r"<[^>]+>", "", page))
    for name, command in subparsers.choices.items():
        assert f"borderstrikes {name}" in text, name
        for action in command._actions:
            if isinstance(action, argparse._HelpAction) or action.help == argparse.SUPPRESS:
                continue  # sphinx-argparse leaves out -h/--help
            for option in action.option_strings:
                assert option in text, f"{name} {option}"


def test_api_page_of_distance_to_border_in_chromium(server, tmp_path):
    url = f"{server}/api/generated/borderstrikes.distance_to_border.html"
    dom = run_chromium(tmp_path, "--dump-dom", url)
    assert 'id="borderstrikes.distance_to_border"' in dom
    assert "Geodesic distance from points to the nearest point of a border." in dom
    for section in ("Parameters", "Returns", "Raises", "Examples"):
        assert section in dom
    assert "signed_distance_" in dom


def test_offline_search_finds_distance_to_border(server, tmp_path):
    dom = run_chromium(tmp_path, "--dump-dom", f"{server}/search.html?q=distance_to_border",
                       budget_ms=10000)  # fmt: skip
    results = re.search(r'<div id="search-results">(.*)', dom, flags=re.S)
    assert results, dom[-2000:]
    assert "Search finished" in results.group(1)
    hits = re.findall(r'<li class="kind-object"><a href="([^"#]+)', results.group(1))
    assert "api/generated/borderstrikes.distance_to_border.html" in hits, hits
