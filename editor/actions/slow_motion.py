"""Slow motion uses the fill tool's optical-flow interpolator: hand it to the render layer (which cannot import ai/)."""
from __future__ import annotations


def install_fill_flow() -> None:
    """Register ai.transition.flow.FlowInterpolator for slow-motion in-betweens (imported on first use)."""
    from editor.render.interpolate import register_flow

    def make(a, b):
        from ai.transition.flow import FlowInterpolator

        return FlowInterpolator(a, b)

    register_flow(make)
