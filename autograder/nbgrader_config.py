"""nbgrader configuration for the course.

nbgrader reads this file from its working directory, so the course's commands run nbgrader
with ``cwd=autograder/`` (see ``autograder/cli.py``). ``solutions/`` is the source folder and
``notebooks/`` the release folder; everything grading writes (submissions, autograded copies,
feedback, the gradebook) goes to a workspace outside git, by default ``autograder/workspace``.
"""

from pathlib import Path

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import GetGrades

from autograder.feedback import FeedbackHTMLExporter, HideHiddenTests

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

REPO = Path(__file__).resolve().parent.parent

c.CourseDirectory.root = str(REPO / "autograder" / "workspace")
# Absolute paths: nbgrader joins them onto the root, and an absolute part wins.
c.CourseDirectory.source_directory = str(REPO / "solutions")
c.CourseDirectory.release_directory = str(REPO / "notebooks")
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]

# A test cell that runs longer than this scores 0 (nbgrader's default is 30 s, too tight for a
# cross-validated search on a busy 2-core machine, and too loose to be left implicit).
c.Execute.timeout = 120
c.Execute.interrupt_on_timeout = True

# nbgrader shows hidden tests in feedback by default (its issue #917); learners must not see them.
c.GenerateFeedback.preprocessors = [GetGrades, CSSHTMLHeaderPreprocessor, HideHiddenTests]
# The same page, with nbconvert's templates compiled once per grading worker, not once per page.
c.GenerateFeedback.exporter_class = FeedbackHTMLExporter
