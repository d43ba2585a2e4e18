"""The ambience presets (a light module: the editor lists them at start-up without importing scipy)."""

# per preset: noise colour / band for the bed, slow swell rate (Hz) and depth, extra texture
PRESETS = {
    "beach": {"band": (80, 5000), "tilt": -1.0, "swell": 0.09, "depth": 0.75, "texture": "waves"},
    "city": {"band": (40, 2500), "tilt": -1.5, "swell": 0.05, "depth": 0.3, "texture": "traffic"},
    "park": {"band": (200, 7000), "tilt": -1.0, "swell": 0.12, "depth": 0.3, "texture": "birds"},
    "indoor": {"band": (60, 1200), "tilt": -1.8, "swell": 0.03, "depth": 0.1, "texture": "room"},
    "wind": {"band": (100, 3000), "tilt": -1.2, "swell": 0.2, "depth": 0.8, "texture": "gusts"},
    "rain": {"band": (800, 12000), "tilt": -0.3, "swell": 0.05, "depth": 0.15, "texture": "drops"},
    "party": {"band": (150, 4000), "tilt": -1.0, "swell": 0.3, "depth": 0.35, "texture": "chatter"},
}
