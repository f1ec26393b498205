"""What runs inside the submission's process: call the reader's function, watch what executes.

Two users. A check run by the learner in a notebook imports :func:`call_watched`. The grader
(:mod:`ntm_minimal.course.grade`) does not import anything the notebook could have replaced: it
sends this file's *source text* to the kernel, runs it in a namespace of its own and calls
:func:`serve`, which answers one request (the inputs of every case of one check) with the raw
outputs and what ran. The verdict is not decided here: the grader compares the outputs with its
own reference, in its own process. So this module uses only the standard library and torch.

"What ran" is observed with :func:`sys.setprofile` (and :func:`threading.setprofile` for threads
started during the call): every Python function that starts while the reader's function computes
is matched against the course's implementations by its code's file and first line. That catches
an implementation whatever name reached it: an alias, a private helper, a re-export, an attribute
chain, a module loaded a second time from the same file. It also notes a call that starts another
process or thread (work there would not be seen).
"""

from __future__ import annotations

import os
import sys
import threading

#: C functions that start another process: the work would run where the profiler cannot see it.
_SPAWN_C = {
    getattr(os, name)
    for name in ("system", "fork", "forkpty", "posix_spawn", "posix_spawnp", "execv", "execve")
    if hasattr(os, name)
}
try:
    import _posixsubprocess

    _SPAWN_C.add(_posixsubprocess.fork_exec)
except ImportError:  # not on POSIX
    pass
_SPAWN_FILES = (
    "subprocess.py",
    os.sep + "multiprocessing" + os.sep,
    os.sep + "concurrent" + os.sep + "futures" + os.sep + "process.py",
)


class Watch:
    """The course's implementations to look out for, and what was seen during one call.

    ``files``: real paths of modules whose every function counts; ``dirs``: real paths of folders
    (a package, with its subfolders); ``keys``: ``(real path, first line)`` of single functions.
    """

    def __init__(self, files=(), dirs=(), keys=()):
        self.files, self.keys = set(files), {tuple(k) for k in keys}
        self.dirs = tuple(d.rstrip(os.sep) + os.sep for d in dirs)
        self._real: dict[str, str] = {}
        self.ran: list[str] = []  # "name (file:line)" of each course implementation that ran
        self.spawned: list[str] = []  # calls that start a process or a thread
        self.target = None
        self.saw_target = False
        self.tampered = False  # the profiler was replaced or removed during the call

    def _path(self, filename: str) -> str:
        path = self._real.get(filename)
        if path is None:
            path = self._real[filename] = os.path.realpath(filename) if not filename.startswith("<") else filename
        return path

    def _forbidden(self, code) -> bool:
        path = self._path(code.co_filename)
        return path in self.files or path.startswith(self.dirs) or (path, code.co_firstlineno) in self.keys

    def profile(self, frame, event, arg):
        if event == "call":
            code = frame.f_code
            if code is self.target:
                self.saw_target = True
            if self._forbidden(code):
                seen = f"{getattr(code, 'co_qualname', code.co_name)} ({os.path.basename(code.co_filename)}:{code.co_firstlineno})"
                if len(self.ran) < 20 and seen not in self.ran:
                    self.ran.append(seen)
            elif (code.co_name == "start" and code.co_filename.endswith("threading.py")) or any(
                part in code.co_filename for part in _SPAWN_FILES
            ):
                if len(self.spawned) < 20:
                    self.spawned.append(f"{code.co_name} ({os.path.basename(code.co_filename)})")
        elif event == "c_call" and arg in _SPAWN_C:
            self.spawned.append(getattr(arg, "__name__", "?"))


def call_watched(watch: Watch, fn, kwargs: dict):
    """``fn(**kwargs)`` with ``watch`` observing; exceptions propagate (the profiler is removed first)."""
    watch.target = getattr(fn, "__code__", None)
    threading.setprofile(watch.profile)
    sys.setprofile(watch.profile)
    try:
        return fn(**kwargs)
    finally:
        still_ours = sys.getprofile() == watch.profile
        sys.setprofile(None)
        threading.setprofile(None)
        if not still_ours:
            watch.tampered = True


def unobserved(watch: Watch) -> bool:
    """True when the profiler was replaced or removed during the call, or when the reader's function
    is plain Python but its start was never seen: nothing about what ran can be trusted then."""
    return watch.tampered or (watch.target is not None and not watch.saw_target)


def plain(value, depth: int = 0):
    """``value`` as tensors, numbers, strings, ``None``, lists, tuples and dicts only (what the grader
    loads with ``torch.load(weights_only=True)``); a named tuple becomes a plain tuple, anything else
    ``{"unsupported type": name}``."""
    import torch

    if depth > 6:
        return {"unsupported type": "a structure nested too deep"}
    if isinstance(value, torch.Tensor):  # a subclass becomes a plain tensor: the grader loads plain ones only
        return value.detach().to("cpu").clone().contiguous().as_subclass(torch.Tensor)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (tuple, list)) and len(value) <= 100_000:
        items = [plain(v, depth + 1) for v in value]
        return tuple(items) if isinstance(value, tuple) else items
    if isinstance(value, dict) and all(isinstance(k, str) for k in value) and len(value) <= 1000:
        return {k: plain(v, depth + 1) for k, v in value.items()}
    return {"unsupported type": type(value).__name__}


def serve(namespace: dict, request_path: str, out_path: str) -> None:
    """Answer one request of the grader: call the function it names on every case, in turn.

    The request holds ``function`` (the name in ``namespace``), ``cases`` (keyword arguments) and
    ``watch`` (``files``, ``dirs``, ``keys``). The answer saved to ``out_path`` holds, per case,
    ``("ok", output)`` or ``("raised", exception type, message)``, and what ran.
    """
    import torch

    request = torch.load(request_path, weights_only=False)
    name = request["function"]
    out = {"defined": name in namespace, "results": [], "ran": [], "spawned": [], "unobserved": False}
    if out["defined"]:
        fn = namespace[name]
        for args in request["cases"]:
            watch = Watch(**request["watch"])
            try:  # converted while watched: a result whose conversion computes (a tensor subclass) is seen too
                result = ("ok", call_watched(watch, lambda **kw: plain(fn(**kw)), args))
            except Exception as err:  # noqa: BLE001 - the reader's bug becomes this case's failure
                result = ("raised", type(err).__name__, str(err)[:2000])
            out["results"].append(result)
            out["ran"] += [r for r in watch.ran if r not in out["ran"]]
            out["spawned"] += [s for s in watch.spawned if s not in out["spawned"]]
            out["unobserved"] = out["unobserved"] or unobserved(watch)
    torch.save(out, out_path)
