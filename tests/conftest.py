"""Shared pytest hooks."""

import time
from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
_STARTED = time.time()


def pytest_terminal_summary(terminalreporter):
    # Only when this run wrote screenshots (the folder outlives runs).
    if ARTIFACTS.exists() and any(p.stat().st_mtime >= _STARTED for p in ARTIFACTS.rglob("*.png")):
        terminalreporter.write_line(f"browser screenshots (test artifacts): {ARTIFACTS}")
