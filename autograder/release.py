"""The release step: ``notebooks/`` regenerated from ``solutions/`` by nbgrader."""

from __future__ import annotations

import filecmp
import shutil
import tempfile
from pathlib import Path

from autograder.course import RELEASE, REPO, assignments
from autograder.nbgrader_calls import generate_release
from autograder.practice_keys import ASSIGNMENT as PRACTICE_KEYS_ASSIGNMENT
from autograder.practice_keys import write_practice_keys


def release(only: list[str] | None = None) -> list[str]:
    """Regenerate ``notebooks/`` from ``solutions/`` (all assignments, or ``only`` these), and the mock
    exam's hashed practice keys; returns the files that changed."""
    unknown = sorted(set(only or []) - set(assignments()))
    if unknown:
        raise ValueError(f"no such assignment in solutions/: {', '.join(unknown)}")
    with tempfile.TemporaryDirectory() as scratch:
        fresh = Path(scratch) / "release"
        generate_release(fresh, workspace=Path(scratch) / "workspace", only=only)
        changed = []
        for assignment in sorted(p.name for p in fresh.iterdir()):
            for new in sorted((fresh / assignment).rglob("*")):
                if new.is_file():
                    old = RELEASE / new.relative_to(fresh)
                    if not old.exists() or not filecmp.cmp(new, old, shallow=False):
                        changed.append(str(old.relative_to(REPO)))
            shutil.rmtree(RELEASE / assignment, ignore_errors=True)
            shutil.copytree(fresh / assignment, RELEASE / assignment)
        for stale in [] if only else RELEASE.iterdir():
            if stale.is_dir() and not (fresh / stale.name).exists():
                shutil.rmtree(stale)
                changed.append(f"{stale.relative_to(REPO)} (removed: no longer in solutions/)")
    # The mock exam's practice self-check keys (hashed) follow its hidden tests.
    if (not only or PRACTICE_KEYS_ASSIGNMENT in only) and write_practice_keys():
        changed.append("coursekit/exam_practice_keys.json")
    return changed
