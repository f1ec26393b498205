"""ntm_minimal: a small, tested Neural Turing Machine (Graves, Wayne & Danihelka, 2014).

Modules follow the paper: :mod:`~ntm_minimal.memory` (Eq. 2-4), :mod:`~ntm_minimal.addressing`
(Eq. 5-9), :mod:`~ntm_minimal.heads`, :mod:`~ntm_minimal.controllers` and
:mod:`~ntm_minimal.model` (the NTM itself). The paper's tasks are in :mod:`~ntm_minimal.tasks`, the
training loop in :mod:`~ntm_minimal.training` (CLI: ``python -m ntm_minimal.train``) and the shipped
trained models in :mod:`~ntm_minimal.pretrained`. The DNC (Graves et al. 2016), built from the same
pieces, is in :mod:`~ntm_minimal.dnc`.
"""

from . import addressing, dnc, memory, metrics, pretrained, tasks
from .device import pick_device
from .dnc import DNC
from .model import NTM, NTMState, Trace

__version__ = "0.1.0"
__all__ = [
    "DNC",
    "NTM",
    "NTMState",
    "Trace",
    "addressing",
    "dnc",
    "memory",
    "metrics",
    "pick_device",
    "pretrained",
    "tasks",
    "__version__",
]
