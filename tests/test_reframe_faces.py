"""Faces in smart reframe: a real photo of a face (scikit-image's astronaut) filmed by a panning camera, off centre,
beside a cat that bobs about (motion the camera did not make, the strongest cue without faces). The smart window
keeps the face inside >= 90 % of the frames, a centre crop does not, and neither does smart reframe without its face
cue; the path stays calm. The face's position is known from where the test put the photo (hand-labelled box in
the photo), not from the detector. The same for a portrait video framed 4:5 (the window slides up and down: the
frames are analysed transposed, faces are searched for upright), and after a cut from another shot. The tracker: a
face counts once detections agree."""
import cv2
import numpy as np
import pytest

from ai.reframe import analyse
from editor.media.faces import FaceDetector, FaceTracker, face_detector
from mediagen import write_video

FACE_X = (175, 270)  # the astronaut's face (skin, ear to ear) in the 512 px photo
FACE_Y = (70, 180)
N = 48


def photo(shared_media, name, size):
    img = cv2.cvtColor(cv2.imread(str(shared_media / "photos" / name)), cv2.COLOR_BGR2RGB)
    return cv2.resize(img, size, interpolation=cv2.INTER_AREA)


def face_inside(centres, faces, window):
    """Share of frames whose window covers >= 90 % of the face (along the axis the window slides on)."""
    return float(np.mean([max(0.0, min(c + window / 2, b) - max(c - window / 2, a)) / (b - a) >= 0.9
                          for c, (a, b) in zip(centres, faces)]))


def wide_pan(shared_media, folder):
    """640x360: [cat | astronaut | coffee] seen through a camera panning left; the face drifts right of centre."""
    cat, astro, cup = (photo(shared_media, "skimage_chelsea.png", (541, 360)),
                       photo(shared_media, "skimage_astronaut.png", (360, 360)),
                       photo(shared_media, "skimage_coffee.png", (540, 360)))
    offsets = np.linspace(280, 140, N).round().astype(int)
    frames = []
    for i, o in enumerate(offsets):
        bob = np.roll(cat, int(round(40 * np.sin(i / 2))), axis=0)
        frames.append(np.hstack([bob, astro, cup])[:, o:o + 640])
    write_video(folder / "pan.mp4", frames)
    face = 541 + np.asarray(FACE_X) * 360 / 512
    return folder / "pan.mp4", np.stack([face[0] - offsets, face[1] - offsets], axis=1)


def tall_pan(shared_media, folder):
    """360x640 portrait: [coffee / astronaut / cat / cat] seen through a camera tilting down; the face stays high."""
    cup, astro, cat = (photo(shared_media, "skimage_coffee.png", (360, 240))[:70],
                       photo(shared_media, "skimage_astronaut.png", (360, 360)),
                       photo(shared_media, "skimage_chelsea.png", (360, 240)))
    offsets = np.linspace(70, 40, N).round().astype(int)
    frames = []
    for i, o in enumerate(offsets):
        bob = np.roll(cat, int(round(40 * np.sin(i / 2))), axis=1)
        frames.append(np.vstack([cup, astro, bob, bob[::-1]])[o:o + 640])
    write_video(folder / "tall.mp4", frames)
    face = 70 + np.asarray(FACE_Y) * 360 / 512
    return folder / "tall.mp4", np.stack([face[0] - offsets, face[1] - offsets], axis=1)


@pytest.mark.parametrize("scene, aspect", [(wide_pan, "9:16"), (tall_pan, "4:5")])
def test_the_smart_window_keeps_an_off_centre_face_that_motion_elsewhere_would_steal(shared_media, tmp_path,
                                                                                     scene, aspect):
    if face_detector() is None:
        pytest.skip("no face detector installed (scikit-image or OpenCV 4)")
    path, faces = scene(shared_media, tmp_path)
    smart = analyse(path, aspect)
    window = smart.crop_w if smart.axis == "x" else smart.crop_h
    got = {"smart": face_inside(smart.centres, faces, window),
           "smart without faces": face_inside(analyse(path, aspect, faces=False).centres, faces, window),
           "centre crop": face_inside(analyse(path, aspect, mode="center").centres, faces, window)}
    print(f"\n{path.stem} {aspect}: face inside the window " + ", ".join(f"{k} {v:.0%}" for k, v in got.items()))
    assert got["smart"] >= 0.9
    assert got["centre crop"] < 0.5
    assert got["smart"] >= got["smart without faces"] + 0.4  # it is the face cue that keeps her in
    moves = np.abs(np.diff(smart.centres)) / (smart.width if smart.axis == "x" else smart.height)
    assert np.percentile(moves, 95) <= 0.015 and moves.max() <= 0.015  # calm: no jumps


def test_after_a_cut_the_window_reframes_on_the_face_of_the_new_shot(shared_media, tmp_path):
    if face_detector() is None:
        pytest.skip("no face detector installed (scikit-image or OpenCV 4)")
    from mediagen import decode_all

    path, faces = wide_pan(shared_media, tmp_path)
    first = [cv2.resize(cv2.cvtColor(cv2.imread(str(shared_media / "davis" / "soapbox" / f"{i:05d}.jpg")),
                                     cv2.COLOR_BGR2RGB), (640, 360), interpolation=cv2.INTER_AREA) for i in range(30)]
    write_video(tmp_path / "cut.mp4", first + decode_all(path))
    res = analyse(tmp_path / "cut.mp4", "9:16")
    assert res.cuts == [30]
    assert face_inside(res.centres[30:], faces, res.crop_w) >= 0.9
    moves = np.abs(np.diff(res.centres)) / res.width
    assert np.delete(moves, 29).max() <= 0.015  # calm inside each shot; the jump is at the cut


class Scripted(FaceDetector):
    """Returns the boxes it is given, one list per detection (to check the tracker's rules on known input)."""

    def __init__(self, answers):
        self.answers = list(answers)

    def detect(self, grey, thorough=False, min_size=24):
        return np.asarray(self.answers.pop(0), np.float32).reshape(-1, 4)


def test_a_face_counts_once_three_detections_agree_and_rides_on_the_tracked_points_in_between():
    grey = np.zeros((180, 320), np.uint8)
    face = [100, 40, 30, 30]
    # detections every 3 frames: a one-off false alarm at frame 0; the face from frame 3 on, missed at 9, 15 and 18
    det = Scripted([[[250, 100, 30, 30]], [face], [[106, 40, 30, 30]], [], [[118, 41, 30, 30]], [], []])
    tr = FaceTracker(det, every=3)
    pts = np.stack(np.meshgrid(np.arange(10, 320, 20), np.arange(10, 180, 20)), -1).reshape(-1, 2).astype(float)
    for i in range(21):
        moved = pts + [2.0, 0.0]  # everything drifts 2 px right per frame (a pan)
        tr.step(grey, None if i == 0 else (pts, moved))
    # the false alarm never counts; the face was most likely there when frame 0's detection missed it: carried back
    assert [round(float(b[0])) for b in tr.faces(0)] == [94] and tr.faces(1)[0][0] == pytest.approx(96, abs=0.5)
    assert tr.faces(4)[0][0] == pytest.approx(102, abs=0.5)  # carried forward by the points between detections
    assert len(tr.faces(10)) == 1  # one missed detection does not drop it
    assert all(len(tr.faces(i)) == 0 for i in range(15, 21))  # two in a row do: gone from the first miss on


def test_opencv_4s_cascade_classifier_is_used_when_present(monkeypatch):
    """OpenCV 5 has no CascadeClassifier (scikit-image's cascade runs); an OpenCV 4.x install has one: it is used."""
    import cv2

    import editor.media.faces as faces

    loaded = []

    class Classifier:  # what OpenCV 4's cv2.CascadeClassifier offers
        def __init__(self, path):
            loaded.append(path)

        def empty(self):
            return False

        def detectMultiScale(self, grey, scaleFactor, minNeighbors, minSize, maxSize):  # noqa: N802, N803
            return np.asarray([[10, 20, 30, 30], [50, 60, 40, 40]])

    monkeypatch.setattr(cv2, "CascadeClassifier", Classifier, raising=False)
    det = faces._load()
    assert det.name == "opencv-cascade" and loaded and loaded[0].endswith(".xml")
    assert det.detect(np.zeros((90, 160), np.uint8)).tolist() == [[50, 60, 40, 40], [10, 20, 30, 30]]  # largest first
