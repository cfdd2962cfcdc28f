"""Imported first by the grader's entry points: ``python -m autograder`` and the Dask workers'
``--preload autograder.worker``, before anything imports jsonschema.

jsonschema loads the optional rfc3987_syntax for its "iri" format check, which builds its parsers
at import: about 1 s of CPU here, in the client and again in every worker. nbformat and nbgrader
validate without format checks, so the grader goes without it.
"""

import sys

sys.modules.setdefault("rfc3987_syntax", None)
