"""Regenerates resources/screenshot-words.png: a project with a lower third, a captions track and the transport bar,
in a real window (run under Xvfb by packaging/screenshot_words.sh). Uses real footage from ../shared/media."""
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(out: str, media: str) -> None:
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    from editor.actions import words
    from editor.actions.media import project_for_files
    from editor.timeline import text_edits as te
    from editor.timeline.cues import Cue
    from editor.ui.document import Document
    from editor.ui.main_window import MainWindow

    p = project_for_files([media])
    p = words.add_title_from_template(p, "lower-third", 15, text="Mei Chen", subtitle="walking Biscuit by the river")
    p = words.place_captions(p, [Cue(0.3, 3.2, "Come on Biscuit, this way! We're going to see grandma"),
                                 Cue(3.6, 6.0, "她每个周末都来这里散步"), Cue(6.4, 9.5, "Good boy. Look at him go!")])
    p = te.set_caption_style(p, p.captions_tracks()[0].id, te.make_caption_style(preset="outline"))
    w = MainWindow(Document(p))
    w.resize(1600, 1000)
    w.show()
    w.doc.set_playhead(int(2.0 * float(p.settings.rate)))
    w.doc.select([p.video_tracks()[1].clips[0].id])
    w.docks["Captions"].raise_()
    w.timeline.zoom_to_fit()
    end = time.monotonic() + 8
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.03)
    w.grab().save(out)
    w.doc.session.mark_saved()
    w.shutdown()
    print(out)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "resources" / "screenshot-words.png"),
         os.environ.get("MEDIA", str(ROOT.parent / "shared" / "media" / "video" / "01_dog.mp4")))
