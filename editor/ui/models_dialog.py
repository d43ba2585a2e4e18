"""AI > Models: every model any backend can use, with its size, licence, place on disk; download, cancel, remove.

The rows come from ai/catalog.py (the one table); downloads run on a worker (ai/downloads.py) with the total bytes,
speed and time left, and resume after a cancel. Errors that say "download X" open this dialog at X.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout,
                               QHeaderView, QLabel, QLineEdit, QMessageBox, QProgressBar, QPushButton, QSpinBox,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from editor.ui import workers

COLUMNS = ("Model", "Used by", "Size", "Licence", "On this machine", "")


def _gb(n: float) -> str:
    return f"{n / 1e9:.2f} GB" if n < 10e9 else f"{n / 1e9:.0f} GB"


class ModelsDialog(QDialog):
    def __init__(self, window, focus: str | None = None, endpoint: str | None = None):
        super().__init__(window)
        self.window_ = window
        self.endpoint = endpoint  # another hub (tests use a local one)
        self.setWindowTitle("AI models")
        self.resize(1250, 640)
        lay = QVBoxLayout(self)
        self.free = QLabel("")
        lay.addWidget(self.free)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        header = self.table.horizontalHeader()
        for col, width in enumerate((330, 0, 70, 230, 250, 180)):
            if width:
                self.table.setColumnWidth(col, width)
        header.setSectionResizeMode(1, QHeaderView.Stretch)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        lay.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(True)
        self.bar.setFormat("")
        self.cancel_btn = QPushButton("Cancel download")
        self.cancel_btn.setEnabled(False)
        self.cancel_btn.clicked.connect(self.cancel)
        row.addWidget(self.bar, 1)
        row.addWidget(self.cancel_btn)
        lay.addLayout(row)
        lay.addWidget(BackendSettings(self))
        close = QDialogButtonBox(QDialogButtonBox.Close)
        close.rejected.connect(self.reject)
        lay.addWidget(close)
        self.worker = None
        self.downloading: str | None = None
        self.rows: dict[str, int] = {}
        self.refresh()
        if focus:
            self.focus(focus)

    def refresh(self) -> None:
        from ai.downloads import catalogue, disk_free, hub_cache

        self.free.setText(f"Models go to {hub_cache()} ({_gb(disk_free())} free). Licences differ: check the "
                          f"column before using a model's output commercially.")
        rows = catalogue()
        self.table.setRowCount(len(rows))
        self.rows.clear()
        for i, st in enumerate(rows):
            c = st.card
            self.rows[c.id] = i
            items = [f"{c.title}\n{c.id}", "\n".join(st.users), f"{c.size_gb:g} GB",
                     f"{c.licence}\n{c.commercial_text}" + (f" ({c.note})" if c.note else ""),
                     (f"present, {_gb(st.bytes_on_disk)}\n{st.folder}" if st.present else
                      (f"missing ({_gb(st.partial_bytes)} downloaded, resumes)" if st.partial_bytes else "missing"))]
            for col, text in enumerate(items):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                item.setData(Qt.UserRole, c.id)
                self.table.setItem(i, col, item)
            self.table.setCellWidget(i, len(COLUMNS) - 1, self._buttons(c.id, st.present, bool(c.locate)))
        self.table.resizeRowsToContents()

    def _buttons(self, model_id: str, present: bool, elsewhere: bool = False) -> QWidget:
        w = QWidget()
        h = QHBoxLayout(w)
        h.setContentsMargins(2, 0, 2, 0)
        get = QPushButton("Download")
        get.setEnabled(not present and self.worker is None and not elsewhere)
        if elsewhere:
            get.setToolTip("not from the model hub: see the licence column for how to get it")
        get.clicked.connect(lambda _=False, m=model_id: self.download(m))
        rm = QPushButton("Remove")
        rm.setEnabled(present and self.worker is None and not elsewhere)
        rm.clicked.connect(lambda _=False, m=model_id: self.remove(m))
        h.addWidget(get)
        h.addWidget(rm)
        w.setObjectName(model_id)
        return w

    def button(self, model_id: str, text: str) -> QPushButton:
        w = self.table.cellWidget(self.rows[model_id], len(COLUMNS) - 1)
        return next(b for b in w.findChildren(QPushButton) if b.text() == text)

    def focus(self, model_id: str) -> None:
        """Select and show a model's row (errors that say "download X" open the dialog here)."""
        if model_id in self.rows:
            self.table.selectRow(self.rows[model_id])
            self.table.scrollToItem(self.table.item(self.rows[model_id], 0))

    def selected(self) -> str | None:
        items = self.table.selectedItems()
        return items[0].data(Qt.UserRole) if items else None

    def download(self, model_id: str) -> None:
        from ai.downloads import download

        if self.worker is not None:
            return
        self.downloading = model_id
        w = workers.Worker(lambda progress, cancelled: download(model_id, progress, cancelled, self.endpoint))
        self.worker = w
        self.bar.setValue(0)
        self.bar.setFormat(f"{model_id}: checking the files and the free space")
        w.signals.progress.connect(lambda f, text: (self.bar.setValue(int(f * 1000)),
                                                    self.bar.setFormat(f"{model_id}: {text}")))
        w.signals.finished.connect(lambda _: self._ended(f"{model_id} downloaded"))
        w.signals.failed.connect(lambda msg: self._ended(msg, error=True))
        w.signals.cancelled.connect(lambda: self._ended(f"{model_id}: cancelled; Download resumes it"))
        self.cancel_btn.setEnabled(True)
        workers.start(w)
        self.refresh()

    def _ended(self, text: str, error: bool = False) -> None:
        self.worker = None
        self.downloading = None
        self.cancel_btn.setEnabled(False)
        self.bar.setFormat(text)
        self.refresh()
        if error and self.isVisible() and not getattr(self.window_, "quiet_errors", False):
            QMessageBox.warning(self, "Download", text)

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()

    def remove(self, model_id: str) -> None:
        from ai.downloads import remove

        freed = remove(model_id)
        self.bar.setFormat(f"{model_id} removed ({_gb(freed)} freed)")
        self.refresh()


class BackendSettings(QWidget):
    """A generative backend's model (hub id or folder), device, precision, offload and steps (models.json)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        from ai.catalog import generative_keys
        from ai.settings import DEVICES, DTYPES, OFFLOADS

        form = QFormLayout(self)
        form.setContentsMargins(0, 6, 0, 0)
        self.backend = QComboBox()
        self.backend.addItems(generative_keys())
        self.model = QLineEdit()
        self.device, self.dtype, self.offload = QComboBox(), QComboBox(), QComboBox()
        self.device.addItems(DEVICES)
        self.dtype.addItems(DTYPES)
        self.offload.addItems(OFFLOADS)
        self.steps = QSpinBox()
        self.steps.setRange(0, 1000)
        self.steps.setSpecialValueText("default")
        self.save_btn = QPushButton("Save backend settings")
        self.status = QLabel("")
        row = QWidget()
        h = QHBoxLayout(row)
        h.setContentsMargins(0, 0, 0, 0)
        for label, w in (("device", self.device), ("precision", self.dtype), ("offload", self.offload),
                         ("steps", self.steps)):
            h.addWidget(QLabel(label))
            h.addWidget(w)
        h.addWidget(self.save_btn)
        form.addRow("Backend", self.backend)
        form.addRow("Model (hub id or folder)", self.model)
        form.addRow(row)
        form.addRow(self.status)
        self.backend.currentTextChanged.connect(self.load)
        self.save_btn.clicked.connect(self.save)
        self.load(self.backend.currentText())

    def load(self, key: str) -> None:
        from ai.errors import AIError
        from ai.settings import settings_for

        try:
            s = settings_for(key)
        except AIError as exc:
            self.status.setText(str(exc))
            return
        self.model.setText(s.model)
        self.device.setCurrentText(s.device)
        self.dtype.setCurrentText(s.dtype)
        self.offload.setCurrentText(s.offload)
        self.steps.setValue(s.steps or 0)

    def save(self) -> None:
        from ai.errors import AIError
        from ai.settings import load_user_settings, update_user_settings

        key = self.backend.currentText()
        try:
            values = dict(load_user_settings().get(key, {}))
            if isinstance(values.get("size"), tuple):
                values["size"] = list(values["size"])
            values.update(model=self.model.text().strip(), device=self.device.currentText(),
                          dtype=self.dtype.currentText(), offload=self.offload.currentText(),
                          steps=self.steps.value() or None)
            update_user_settings(key, values)
        except AIError as exc:
            self.status.setText(str(exc))
            return
        self.status.setText(f"saved; a loaded {key} pipeline was released")


def open_models(window, model_id: str | None = None) -> ModelsDialog:
    """Show AI > Models (not modal: downloads run while the user works), at a model when given."""
    dlg = ModelsDialog(window, focus=model_id)
    dlg.setAttribute(Qt.WA_DeleteOnClose)
    dlg.show()
    window._models_dialog = dlg
    return dlg


def offer_download(window, msg: str, model_id: str) -> None:
    """An error that says "download X": offer to open AI > Models at X."""
    window.statusBar().showMessage(msg, 8000)
    window.last_model_error = model_id
    if not window.isVisible() or getattr(window, "quiet_errors", False):
        return
    box = QMessageBox(QMessageBox.Warning, "Seamline", msg, QMessageBox.Close, window)
    go = box.addButton(f"Open AI > Models at {model_id}", QMessageBox.AcceptRole)
    box.exec()
    if box.clickedButton() is go:
        open_models(window, model_id)
