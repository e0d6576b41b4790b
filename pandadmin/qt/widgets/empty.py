"""What a new user sees before any environment exists: what pandadmin does and how to start."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

TEXT = """
<h2>No environments yet</h2>
<p>pandadmin watches the web services of an environment (dev, staging, prod…) and the
PostgreSQL database they share: health checks, connections in use against your plan's
limit, and Alembic migrations.</p>
<p><b>To start, add an environment</b>: give it a name, paste its <tt>DATABASE_URL</tt>
(stored in your system keyring, never in a file), pick the hosting plan and list the
services with their <tt>/health</tt> URLs and pool sizes.</p>
<p>From a terminal instead:
<tt>pandadmin env add prod --plan pro --database-url-stdin</tt><br>
To try it on local sample services first: <tt>pandadmin demo</tt></p>
"""


class EmptyState(QWidget):
    """Explains the app and offers the one button that matters."""

    add_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        text = QLabel(TEXT, self)
        text.setWordWrap(True)
        text.setTextFormat(Qt.TextFormat.RichText)
        text.setFixedWidth(640)
        # A wrapped label in a layout gets one line's height otherwise.
        text.setMinimumHeight(text.heightForWidth(640))
        self.button = QPushButton("Add environment…  (Ctrl+N)", self)
        self.button.setDefault(True)
        self.button.setMinimumHeight(36)
        self.button.clicked.connect(self.add_requested)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(text, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(12)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
