import sys

# jsonschema loads the optional rfc3987_syntax for its "iri" format check, which builds its parsers
# at import (1 s here, before any grading starts); nbformat and nbgrader validate without format
# checks, so the course's commands go without it. Set before anything imports jsonschema.
sys.modules.setdefault("rfc3987_syntax", None)

from autograder.cli import main  # noqa: E402

sys.exit(main())
