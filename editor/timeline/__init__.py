"""Timeline model and edits (pure Python): editor.timeline.model, .edits, .validate, .keyframes, .delta."""
