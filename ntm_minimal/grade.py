"""``python -m ntm_minimal.grade``: the grader's command line (it lives in :mod:`ntm_minimal.course.grade`)."""

import sys

from .course.grade import main

if __name__ == "__main__":
    sys.exit(main())
