"""The desktop app: PySide6 + pyqtgraph views over the same API the CLI uses. Qt lives only here."""
