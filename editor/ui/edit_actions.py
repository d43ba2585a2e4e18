"""Edit commands of the main window (split, delete, gaps, ripple moves, transitions) and the AI tools' entry
points. Each command is one Document.apply or one group: one undo step."""
from __future__ import annotations

from editor.timeline import arrange, edits
from editor.ui.labels import frames_of


class EditActions:
    def _selected_or_under_playhead(self):
        if self.doc.selection:
            return list(self.doc.selection)
        ids = []
        for t in self.doc.project.tracks:
            c = t.clip_at(self.doc.playhead)
            if c is not None and (self.doc.selected_track in (None, t.id)):
                ids.append(c.id)
        return ids[:1]

    def split_selected(self):
        with self.doc.group("Split"):
            for cid in self._selected_or_under_playhead():
                if self.doc.project.track_of(cid) is not None:  # split with a linked clip already
                    c = self.doc.project.find_clip(cid)[1]
                    if c.start < self.doc.playhead < c.end:
                        self.timeline.split(cid, self.doc.playhead)

    def delete_selected(self):
        ids = list(self.doc.selection)
        if ids:
            self.doc.apply("Delete", edits.delete, ids)
            self.doc.select([])

    def ripple_delete_selected(self):
        ids = list(self.doc.selection)
        if ids:
            self.doc.apply("Delete and close gap", edits.ripple_delete, ids)
            self.doc.select([])

    def _current_track(self) -> str | None:
        return self.doc.selected_track or next((t.id for t in self.doc.project.video_tracks()), None)

    def close_gap_at_playhead(self):
        tid = self._current_track()
        if tid:
            self.doc.apply("Close gap", edits.close_gap, tid, self.doc.playhead)

    def close_all_gaps(self):
        tid = self._current_track()
        if tid:
            self.doc.apply("Close all gaps", arrange.close_all_gaps, tid)

    def ripple_move_selected(self, seconds: float):
        ids = list(self.doc.selection)
        if len(ids) == 1:
            delta = frames_of(abs(seconds), self.doc.project.settings.rate) * (1 if seconds > 0 else -1)
            self.doc.apply("Ripple move", arrange.ripple_move, ids[0], delta)

    def remove_track(self):
        if self.doc.selected_track:
            self.doc.apply("Remove track", edits.remove_track, self.doc.selected_track)
            self.doc.selected_track = None

    def set_drop_mode(self, mode: str):
        self.timeline.drop_mode = mode
        self.statusBar().showMessage("Dropped clips now go in at the nearest cut and push the rest along"
                                     if mode == "insert" else "Dropped clips now cover what is under them", 6000)

    # -- transitions and the cut popover ---------------------------------------------------------------------------
    def apply_transition(self, kind: str, cuts=None, seconds: float = 0.5) -> bool:
        """Put a transition of `kind` on cuts [(track, a, b)] (default: every cut of the first video track),
        replacing what is there. The "ai-fill" entry runs an AI fill on the first of them instead."""
        from editor.render.transitions import fit_duration

        if kind == "ai-fill":
            if cuts:
                self.fill_cut(*cuts[0])
            return True
        p = self.doc.project
        if cuts is None:
            v = p.video_tracks()
            cuts = [(t.id, a.id, b.id) for t in v[:1] for a, b in zip(t.clips, t.clips[1:]) if a.end == b.start]
        if not cuts:
            self.show_error("There is no cut to put a transition on: put two clips end to end first")
            return False
        want = frames_of(seconds, p.settings.rate)
        with self.doc.group(f"Add {kind.replace('-', ' ')}" + (" to all cuts" if len(cuts) > 1 else "")):
            for tid, a, b in cuts:
                t = self.doc.project.track(tid)
                old = t.transition_between(a, b)
                if old is not None:
                    self.doc.apply("Remove transition", edits.remove_transition, old.id)
                t = self.doc.project.track(tid)
                d = fit_duration(want, t.clip(a).duration, t.clip(b).duration)
                if d >= 2:
                    self.doc.apply("Add transition", edits.add_transition, tid, a, b, kind, d)
        return True

    def open_cut_popover(self, track_id: str, a: str, b: str, where):
        from editor.ui.cut_popover import CutPopover

        self.doc.select_cut(track_id, a, b)
        self.cut_popover = CutPopover(self, (track_id, a, b))
        self.cut_popover.show_at(where)
        return self.cut_popover

    # -- AI tools ----------------------------------------------------------------------------------------------
    def fill_cut(self, track_id: str, a: str, b: str, seconds: float | None = None):
        self.doc.select_cut(track_id, a, b)
        self.docks["AI"].raise_()
        self.ai.setCurrentWidget(self.ai.fill)
        if seconds is not None:
            self.ai.fill.duration.setValue(seconds)
        self.fill_selected_cut()

    def fill_selected_cut(self):
        from editor.ui.ai_actions import run_fill

        run_fill(self)

    def camera_move(self):
        from editor.ui.ai_actions import run_camera

        run_camera(self)

    def sound_layers(self):
        from editor.ui.ai_actions import run_sound

        run_sound(self)
