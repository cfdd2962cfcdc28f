"""nbgrader for a learner's server on the course hub: the course and the shared exchange."""

import os

c = get_config()  # noqa: F821
c.CourseDirectory.course_id = os.environ.get("COURSE_HUB_COURSE_ID", "params-hyperparams")
c.Exchange.root = os.environ.get("COURSE_HUB_EXCHANGE", "/srv/nbgrader/exchange")

# Submissions readable by the instructor's group only (see hub/course_exchange.py).
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
c.ExchangeFactory.submit = "course_exchange.PrivateSubmit"
