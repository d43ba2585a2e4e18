"""AI > Settings: Compute (run the AI tools here or on a Ray cluster) and the job cache (size limit, Clear cache)."""
from __future__ import annotations

from PySide6.QtWidgets import (QButtonGroup, QDialog, QDialogButtonBox, QDoubleSpinBox, QFormLayout, QGroupBox,
                               QHBoxLayout, QLabel, QLineEdit, QPushButton, QRadioButton, QVBoxLayout, QWidget)

from editor.ui import workers


class AISettingsDialog(QDialog):
    def __init__(self, window):
        super().__init__(window)
        from ai.cluster import ray_installed
        from ai.errors import AIError
        from ai.settings import DEFAULT_CACHE_GB, load_user_settings

        self.window_ = window
        self.setWindowTitle("AI settings")
        lay = QVBoxLayout(self)
        self.problem = QLabel("")
        self.problem.setWordWrap(True)
        try:
            data = load_user_settings()
        except AIError as exc:  # a damaged file: say so, and saving here writes a good one
            data = {}
            self.problem.setText(str(exc))
        lay.addWidget(self.problem)

        compute = QGroupBox("Compute")
        form = QFormLayout(compute)
        self.local = QRadioButton("This computer")
        self.ray = QRadioButton("Ray cluster (a machine with a bigger GPU)")
        group = QButtonGroup(self)
        group.addButton(self.local)
        group.addButton(self.ray)
        c = data.get("compute", {})
        (self.ray if c.get("mode") == "ray" else self.local).setChecked(True)
        self.address = QLineEdit(c.get("address", ""))
        self.address.setPlaceholderText("gpu-box:6379")
        self.check_btn = QPushButton("Check connection")
        self.check_btn.clicked.connect(self.check)
        self.cluster_status = QLabel("")
        self.cluster_status.setWordWrap(True)
        if not ray_installed():
            self.ray.setEnabled(False)
            self.check_btn.setEnabled(False)
            self.cluster_status.setText("Ray is not installed: `pip install 'seamline[cluster]'` (then restart)")
        row = QWidget()
        h = QHBoxLayout(row)
        h.setContentsMargins(0, 0, 0, 0)
        h.addWidget(self.address, 1)
        h.addWidget(self.check_btn)
        form.addRow(self.local)
        form.addRow(self.ray)
        form.addRow("Address", row)
        form.addRow(self.cluster_status)
        lay.addWidget(compute)

        cache = QGroupBox("Cache of AI results")
        form = QFormLayout(cache)
        self.limit = QDoubleSpinBox()
        self.limit.setRange(0.1, 100000)
        self.limit.setDecimals(1)
        self.limit.setSuffix(" GB")
        self.limit.setValue(data.get("cache", {}).get("limit_gb", DEFAULT_CACHE_GB))
        self.size = QLabel("")
        self.clear_btn = QPushButton("Clear cache")
        self.clear_btn.clicked.connect(self.clear)
        row = QWidget()
        h = QHBoxLayout(row)
        h.setContentsMargins(0, 0, 0, 0)
        h.addWidget(self.size, 1)
        h.addWidget(self.clear_btn)
        form.addRow("Keep at most", self.limit)
        form.addRow(row)
        form.addRow(QLabel("Results already on a timeline are kept with their project; clearing only means a "
                           "repeated job runs again."))
        lay.addWidget(cache)
        buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.show_size()

    def show_size(self) -> None:
        from ai.cache import JobCache

        entries = JobCache().entries()
        self.size.setText(f"{sum(s for _, s, _ in entries) / 1e9:.2f} GB in {len(entries)} results")

    def clear(self) -> None:
        from ai.cache import JobCache

        freed = JobCache().clear()
        self.show_size()
        self.size.setText(self.size.text() + f" ({freed / 1e9:.2f} GB freed)")

    def check(self) -> None:
        from ai.cluster import describe_cluster

        address = self.address.text().strip() or "auto"
        self.cluster_status.setText(f"connecting to {address}...")
        w = workers.Worker(lambda progress, cancelled: describe_cluster(address))
        w.signals.finished.connect(self.cluster_status.setText)
        w.signals.failed.connect(self.cluster_status.setText)
        workers.start(w)

    def save(self) -> None:
        from ai.errors import AIError
        from ai.settings import update_user_settings

        try:
            update_user_settings("compute", {"mode": "ray" if self.ray.isChecked() else "local",
                                             "address": self.address.text().strip()})
            update_user_settings("cache", {"limit_gb": float(self.limit.value())})
            from ai.cache import JobCache

            JobCache().evict()
        except AIError as exc:
            self.problem.setText(str(exc))
            return
        self.accept()
