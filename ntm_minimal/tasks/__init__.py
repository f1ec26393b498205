"""The paper's tasks (section 4), all producing a :class:`~ntm_minimal.tasks.base.Batch`.

``make_task(name, **settings)`` builds one by name; modules are imported when first asked for.
"""

from __future__ import annotations

import importlib

from .base import Batch, Task
from .copy import CopyTask

#: task name -> "module:class" inside this package.
TASKS = {
    "copy": "copy:CopyTask",
    "repeat_copy": "repeat_copy:RepeatCopyTask",
    "associative_recall": "associative_recall:AssociativeRecallTask",
    "ngrams": "ngrams:NGramTask",
    "priority_sort": "priority_sort:PrioritySortTask",
    "long_recall": "long_recall:LongRecallTask",
    "streaming_recall": "long_recall:StreamingRecallTask",
    "memory_reuse": "memory_reuse:MemoryReuseTask",
}


def task_class(name: str) -> type:
    """The class of task ``name`` (one of :data:`TASKS`)."""
    if name not in TASKS:
        raise ValueError(f"task: expected one of {sorted(TASKS)}, got {name!r}")
    module, cls = TASKS[name].split(":")
    return getattr(importlib.import_module(f"{__name__}.{module}"), cls)


def make_task(name: str, **settings) -> Task:
    """Build task ``name`` with its settings (e.g. ``make_task("copy", max_len=20)``)."""
    return task_class(name)(**settings)


__all__ = ["Batch", "CopyTask", "TASKS", "Task", "make_task", "task_class"]
