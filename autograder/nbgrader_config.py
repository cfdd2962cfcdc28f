"""nbgrader configuration for the course.

nbgrader reads this file from its working directory, so the course's commands run nbgrader
with ``cwd=autograder/`` (see ``autograder/nbgrader_calls.py``). ``solutions/`` is the source folder and
``notebooks/`` the release folder; everything grading writes (submissions, autograded copies,
feedback, the gradebook) goes to a workspace outside git, by default ``autograder/workspace``.
"""

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import GetGrades

from autograder.course import CELL_TIMEOUT, COURSE_ID, REPO
from autograder.feedback import FeedbackHTMLExporter, HideHiddenTests

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

c.CourseDirectory.course_id = COURSE_ID
c.CourseDirectory.root = str(REPO / "autograder" / "workspace")
# Absolute paths: nbgrader joins them onto the root, and an absolute part wins.
c.CourseDirectory.source_directory = str(REPO / "solutions")
c.CourseDirectory.release_directory = str(REPO / "notebooks")
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]

c.Execute.timeout = CELL_TIMEOUT  # a test cell running longer scores 0
c.Execute.interrupt_on_timeout = True

# nbgrader shows hidden tests in feedback by default (its issue #917); learners must not see them.
c.GenerateFeedback.preprocessors = [GetGrades, CSSHTMLHeaderPreprocessor, HideHiddenTests]
# The same page, with nbconvert's templates compiled once per grading worker, not once per page.
c.GenerateFeedback.exporter_class = FeedbackHTMLExporter
