"""Seamline editor core."""
__version__ = "0.1.0"
