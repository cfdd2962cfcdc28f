import sys

from autograder import startup  # noqa: F401 (first: see its docstring)

# isort: split
from autograder.cli import main

sys.exit(main())
