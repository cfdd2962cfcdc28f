"""nbgrader for the instructor's server on the course hub.

The course folder (submissions collected from the exchange, feedback to release, formgrader's
gradebook) is ~/course; the assignments come straight from the course repository: solutions/ is
the source and notebooks/ the release that `make release` generates.
"""

import os
from pathlib import Path

c = get_config()  # noqa: F821
REPO = Path(os.environ.get("COURSE_REPO", Path(__file__).resolve().parents[3]))
c.CourseDirectory.course_id = os.environ.get("COURSE_HUB_COURSE_ID", "params-hyperparams")
c.Exchange.root = os.environ.get("COURSE_HUB_EXCHANGE", "/srv/nbgrader/exchange")
c.CourseDirectory.root = os.environ.get("COURSE_HUB_COURSE_DIR") or os.path.expanduser("~/course")
c.CourseDirectory.source_directory = str(REPO / "solutions")
c.CourseDirectory.release_directory = str(REPO / "notebooks")
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]
