"""Compositor, audio mixer and exporter."""
