"""The Differentiable Neural Computer (Graves et al., Nature 2016) built on the NTM's pieces.

:mod:`~ntm_minimal.dnc.equations` holds the memory-management equations (retention, usage,
allocation, write weighting, precedence, link, directional and read weightings), one function each;
:mod:`~ntm_minimal.dnc.interface` the interface vector; :mod:`~ntm_minimal.dnc.model` the
:class:`DNC` itself, with the NTM's model contract (``forward``, ``step``, ``initial_state``,
``config``), so the same trainer, checkpoints and evaluation serve it.
"""

from . import equations
from .equations import (
    allocation,
    directional_weightings,
    link,
    masked_content_weighting,
    precedence,
    read_weighting,
    retention,
    sharpen_links,
    usage,
    write_weighting,
)
from .interface import Interface, oneplus
from .model import DNC, DNCState, DNCTrace

__all__ = [
    "DNC",
    "DNCState",
    "DNCTrace",
    "Interface",
    "allocation",
    "directional_weightings",
    "equations",
    "link",
    "masked_content_weighting",
    "oneplus",
    "precedence",
    "read_weighting",
    "retention",
    "sharpen_links",
    "usage",
    "write_weighting",
]
