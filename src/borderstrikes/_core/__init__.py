"""The bottom layer: constants, units, argument and CRS checks, optional imports.

Everything in borderstrikes may import from here; nothing here imports from
the rest of the package except :mod:`borderstrikes.errors`.
"""
