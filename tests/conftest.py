"""Shared pytest hooks."""

from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


def pytest_terminal_summary(terminalreporter):
    if ARTIFACTS.exists() and any(ARTIFACTS.rglob("*.png")):
        terminalreporter.write_line(f"browser screenshots (test artifacts): {ARTIFACTS}")
