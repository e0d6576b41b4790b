"""Dialogs: add/edit environment, confirmations (always opened with open(), never exec())."""
