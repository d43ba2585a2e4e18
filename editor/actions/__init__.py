"""Glue between media, AI results and timeline edits."""
