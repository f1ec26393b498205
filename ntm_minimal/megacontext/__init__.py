"""MegaContext-lite (chapter 15): a hierarchical, hard-attention memory at toy scale.

One module per component of the MegaContext design: :mod:`.tree` (LOD0 tokens, LOD1/LOD2 gists),
:mod:`.gistnet` (the learned 32 -> 1 compressor), :mod:`.lensnet` (signed focus scores by
cross-attention), :mod:`.focus_allocator` (greedy, block-aligned expand/collapse under ``W_max``
with a cooldown), :mod:`.working_context` (the cover of the timeline and its assembly),
:mod:`.content_read` (the NTM's Eq. 5-6 content addressing and Eq. 2 read over any entries),
:mod:`.labels` (counterfactual ΔNLL labels for LensNet), :mod:`.read_strategies` (what each compared
reader reads: all tokens, a recency window, a refocused working context, cached keys, flat top-k
blocks) and :mod:`.stream` (refocusing while tokens arrive). :mod:`.two_stage_lensnet` is a LensNet
without the hand-coded similarity, :mod:`.lens_training` trains scorers on fixed counterfactual labels
(regression or pairwise preferences), :mod:`.experiments` holds the measurements of chapters 15 and
15b and :mod:`.tables` their tables. Training: ``python -m ntm_minimal.megacontext.train --out DIR``.
"""

from .content_read import Reader
from .focus_allocator import FocusConfig, RefocusStats, refocus
from .gistnet import BLOCK, GistNet
from .lensnet import LensNet
from .tree import MegaContextTree, build_levels
from .working_context import Entries, Units, assemble, check_cover, coarse_cover

__all__ = [
    "BLOCK",
    "Entries",
    "FocusConfig",
    "GistNet",
    "LensNet",
    "MegaContextTree",
    "Reader",
    "RefocusStats",
    "Units",
    "assemble",
    "build_levels",
    "check_cover",
    "coarse_cover",
    "refocus",
]
