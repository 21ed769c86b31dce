"""Text from files other people wrote, made safe for each place it is written to.

Place names, notes, sources and evidence values come from files that others
wrote (ACLED notes, GDELT URLs, a user's CSV). They end up in HTML pages,
JavaScript, CSV files opened in spreadsheets and matplotlib labels. Every
writer of the package escapes through this one module, one function per sink:

- :func:`html_text` -- text between HTML tags, or in a quoted attribute;
- :func:`js_literal` -- a value written into a ``<script>`` as a JavaScript
  literal (JSON, with ``<``, ``>``, ``&``, U+2028 and U+2029 escaped so that
  the text can neither close the script nor start markup);
- :func:`js_literal_for_jinja` -- the same, for script text that a Jinja
  template reads again (branca, under folium, compiles the script of every
  map element as a template): ``{`` and ``}`` in strings are escaped too, so
  that no ``{{``, ``{%`` or ``{#`` reaches the template engine;
- :func:`csv_cell` -- a cell of a CSV file: a text starting with ``=``, ``+``,
  ``-``, ``@``, a tab or a carriage return is prefixed with ``'`` so that a
  spreadsheet shows it instead of evaluating it as a formula (OWASP, "CSV
  Injection"); numbers are left alone;
- :func:`mpl_text` -- a matplotlib label: ``$`` is escaped so that a name is
  never parsed as mathtext;
- :func:`xml_text` -- text for an XML document built with a real XML writer
  (KML, QGIS styles, XLSX): the characters XML 1.0 cannot hold are dropped
  (the writer escapes ``<``, ``>``, ``&`` and quotes).
"""

from __future__ import annotations

import html
import json
import math
import numbers
import re
from typing import Any

__all__ = [
    "FORMULA_PREFIXES",
    "csv_cell",
    "html_text",
    "js_literal",
    "js_literal_for_jinja",
    "mpl_text",
    "xml_text",
]

#: First characters that make a spreadsheet read a cell as a formula (OWASP).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

_JS_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def html_text(value: Any) -> str:
    """Escape ``value`` (as ``str``) for HTML text or a double- or single-quoted attribute.

    Examples
    --------
    >>> html_text('<img src=x onerror="alert(1)">')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'
    """
    return html.escape(str(value), quote=True)


def js_literal(value: Any) -> str:
    r"""Write ``value`` as a JavaScript literal safe inside a ``<script>`` element.

    The result is JSON (so a template-string ``${...}`` or a backtick is an
    ordinary character of a string), with the characters that could end the
    script or start markup escaped.

    Examples
    --------
    >>> js_literal("${document.title='x'}</script>")
    '"${document.title=\'x\'}\\u003c/script\\u003e"'
    """
    text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    for char, escaped in _JS_ESCAPES.items():
        text = text.replace(char, escaped)
    return text


#: A string of JSON text (``"...``, escapes included).
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def js_literal_for_jinja(value: Any) -> str:
    r"""Write ``value`` as :func:`js_literal` does, with ``{`` and ``}`` in its strings escaped.

    For script text that a Jinja template engine renders again: branca (under
    folium) compiles the script of every map element as a template, so a
    ``{{ ... }}`` in a place name would otherwise run as template code in the
    Python process. JSON's own braces (objects) are left alone: ``json.dumps``
    never writes two in a row, nor ``{%`` or ``{#``.

    Examples
    --------
    >>> js_literal_for_jinja({"name": "{{7*7}}"})
    '{"name": "\\u007b\\u007b7*7\\u007d\\u007d"}'
    >>> import json
    >>> json.loads(js_literal_for_jinja(["{%x%}"])) == ["{%x%}"]
    True
    """
    return _JSON_STRING.sub(
        lambda found: found.group(0).replace("{", "\\u007b").replace("}", "\\u007d"),
        js_literal(value),
    )


def csv_cell(value: Any) -> Any:
    r"""Neutralise a text cell a spreadsheet would run as a formula; other values unchanged.

    Numbers (including negative ones) stay numbers: only text is changed.

    Examples
    --------
    >>> csv_cell('=HYPERLINK("http://x")')
    '\'=HYPERLINK("http://x")'
    >>> csv_cell(-3.5), csv_cell("Jermuk")
    (-3.5, 'Jermuk')
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def mpl_text(value: Any) -> str:
    r"""Escape ``$`` so matplotlib draws ``value`` literally instead of as mathtext.

    Examples
    --------
    >>> mpl_text("Price $5 or $x^2$")
    'Price \\$5 or \\$x^2\\$'
    """
    if value is None or (isinstance(value, numbers.Real) and math.isnan(value)):
        return ""
    return str(value).replace("$", r"\$")


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: Any) -> str:
    r"""Return ``str(value)`` without the characters XML 1.0 cannot hold.

    ElementTree escapes ``<``, ``>``, ``&`` and quotes, but writes a control
    character such as U+0001 as it is, which makes the document unreadable.

    Examples
    --------
    >>> xml_text("Jermuk\x01\x1b <b>")
    'Jermuk <b>'
    """
    return _NOT_XML.sub("", str(value))
