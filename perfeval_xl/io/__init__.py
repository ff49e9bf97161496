"""File adapters: openpyxl / python-calamine around the scoring core."""
