"""Foundation shared by every layer: units, the exception tree, array helpers and plain specs.

Imports only the standard library and numpy.
"""
