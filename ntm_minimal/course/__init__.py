"""The course's teaching tools: the exercise checks, their rules, and the grader.

* :mod:`.runner`: the one check runner every exercise goes through (cases, comparison, messages);
* :mod:`.rules`: the rules an exercise states (no Python loops; none of the course's own
  implementations may do the work) and :mod:`.serve`, what runs in the submission's process;
* the checks, per part of the course: :mod:`.ntm` (exercises 1-7), :mod:`.tasks` (8-12),
  :mod:`.dnc` (14), :mod:`.megacontext` (15);
* :mod:`.grade`: grades a folder of submitted notebooks (``python -m ntm_minimal.grade``).

A notebook imports the checks of its part, e.g. ``from ntm_minimal.course import ntm as checks``.
"""
