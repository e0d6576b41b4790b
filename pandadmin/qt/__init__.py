"""The desktop app (PySide6 + qasync + pyqtgraph): renders core value objects, turns user
intents into core calls. Nothing outside this package imports Qt."""

import os

os.environ.setdefault("QT_API", "pyside6")  # qasync would pick PyQt6 first if both existed
