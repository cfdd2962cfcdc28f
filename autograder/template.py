"""The nbgrader templates: release notebooks and a gradebook that holds the assignments' cells and
checksums, written by nbgrader's ``generate_assignment`` from this machine's checkout. A worker
grades against the template of one assignment; the merged gradebook starts as a copy of the
template of every assignment the cohort submitted.

Templates are kept per machine, shared by every worker on it and across runs, under the
assignment's source digest: a changed test gets a new template, an unchanged course costs
nothing after the first run. Each is written once, under a file lock, into a temporary folder
that is renamed into place, so a worker killed while writing leaves nothing half-written.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from autograder import course, nbgrader_calls

# Node-local by default (a cluster's /tmp), one per user (an instructor's run and root's must not
# share files); COURSE_GRADING_CACHE moves it.
CACHE = Path(os.environ.get("COURSE_GRADING_CACHE")
             or Path(tempfile.gettempdir()) / f"course-grading-{os.getuid()}") / "templates"
FEEDBACK_PARTS = "feedback_parts.json"


class Template:
    """The template of some assignments, written when first asked for on this machine."""

    def __init__(self, *assignments: str):
        self.assignments = tuple(sorted(assignments))
        self.assignment = self.assignments[0] if len(self.assignments) == 1 else ""
        combined = hashlib.sha256(" ".join(f"{a}={course.source_digest(a)}" for a in self.assignments).encode())
        self.digest = combined.hexdigest()
        name = self.assignment or f"{len(self.assignments)}-assignments"
        self.folder = CACHE / f"{name}-{self.digest[:24]}"

    @property
    def gradebook(self) -> Path:
        return self.folder / "gradebook.db"

    def release_notebook(self, assignment: str) -> Path:
        return self.folder / "release" / assignment / f"{assignment}.ipynb"

    def feedback_parts(self) -> dict[str, list]:
        """The assignment's feedback-page parts rendered when the template was written (workers
        grading one assignment start from them); none for a template of several assignments."""
        parts = self.folder / FEEDBACK_PARTS
        return json.loads(parts.read_text()) if parts.exists() else {}

    def ready(self) -> Template:
        """This template, written first if this machine does not have it yet."""
        if (self.folder / "done").exists():
            return self
        CACHE.mkdir(parents=True, exist_ok=True)
        with _locked(self.folder.with_suffix(".lock")):
            if not (self.folder / "done").exists():
                shutil.rmtree(self.folder, ignore_errors=True)
                pending = Path(tempfile.mkdtemp(prefix=f".{self.folder.name}-", dir=CACHE))
                try:
                    with nbgrader_calls.scratch_gradebooks():
                        nbgrader_calls.write_assignments(pending, f"sqlite:///{pending / 'gradebook.db'}",
                                                         self.assignments)
                    if self.assignment:  # a worker's: rendered once per machine, not per worker
                        release = pending / "release" / self.assignment / f"{self.assignment}.ipynb"
                        try:
                            parts = nbgrader_calls.feedback_parts(nbgrader_calls.course_config(root=str(pending)),
                                                                  release)
                        except Exception as error:  # a saving only: every page is then rendered in full
                            print(f"feedback pages of {self.assignment} will not start from its release: "
                                  f"{type(error).__name__}: {error}", file=sys.stderr)
                            parts = {}
                        (pending / FEEDBACK_PARTS).write_text(json.dumps(parts))
                    (pending / "done").write_text(self.digest)
                    os.chmod(pending, 0o755)
                    os.replace(pending, self.folder)
                finally:
                    shutil.rmtree(pending, ignore_errors=True)
        return self


@contextlib.contextmanager
def _locked(path: Path):
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
