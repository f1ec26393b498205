"""The Differentiable Neural Computer (Graves et al., Nature 538, 2016): a controller, one write
head, ``R`` read heads, and memory management by usage, allocation and temporal links.

One step, for input ``x_t`` (the order of the paper's Methods and of deepmind/dnc):

1. the controller sees ``[x_t, r_{t-1}]`` and emits ``h_t``; one linear layer turns it into the
   interface parameters (:mod:`.interface`);
2. the free gates and the previous read weightings give the retention ``ψ_t``, and with the
   previous write weighting the usage ``u_t``; sorting it gives the allocation ``a_t`` (eq. 1);
3. the write weighting mixes ``a_t`` with a content lookup on ``M_{t-1}`` (eq. 2); the memory is
   erased and written (the NTM's Eq. 3-4), giving ``M_t``;
4. the link matrix ``L_t`` (with ``p_{t-1}``) and the precedence ``p_t`` are updated;
5. each read head mixes backward, content (on ``M_t``) and forward weightings by its read modes
   and reads ``r_t`` from ``M_t``;
6. the output layer sees ``[h_t, r_t]`` (the paper's ``υ_t + W_r [r_t]``) and emits logits.

Initial state: every memory cell ``MEMORY_INIT`` (a small constant, as the NTM; an all-zero memory
works too, see the tests, but gives every row the same cosine score of 0), and usage, precedence,
link matrix, weightings and reads all zero (the paper's ``u_0 = p_0 = L_0 = 0``).

Steps 1 and 6, the loop over time, the trace and the state are :class:`~ntm_minimal.core.RecurrentCore`'s,
shared with the NTM; this module holds the DNC's memory access (steps 2-5), built from the unchecked
kernels of :mod:`ntm_minimal.kernels` and :mod:`ntm_minimal.dnc.kernels`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import torch

from .. import kernels
from ..core import RecurrentCore
from ..model import MEMORY_INIT
from . import kernels as dk
from .interface import Interface, InterfaceLayer


class DNCState(NamedTuple):
    """Recurrent state between steps."""

    controller: object  # the controller's own state ((h, c) for the LSTM, None for feed-forward)
    memory: torch.Tensor  # [B, N, W]
    usage: torch.Tensor  # [B, N]
    precedence: torch.Tensor  # [B, N]
    link: torch.Tensor  # [B, N, N]
    write_weights: torch.Tensor  # [B, N]
    read_weights: torch.Tensor  # [B, R, N]
    reads: torch.Tensor  # [B, R, W]


class StepInfo(NamedTuple):
    """What a step computed besides its new state (for the trace)."""

    interface: Interface
    allocation: torch.Tensor  # [B, N]
    write_content: torch.Tensor  # [B, N], c^w_t
    read_content: torch.Tensor  # [B, R, N], c^r_t


@dataclass
class DNCTrace:
    """Everything the steps computed, stacked over time (batch first, then time ``T``)."""

    usage: torch.Tensor  # [B, T, N], u_t
    allocation: torch.Tensor  # [B, T, N], a_t
    write_gate: torch.Tensor  # [B, T, 1], g^w_t
    alloc_gate: torch.Tensor  # [B, T, 1], g^a_t
    free_gates: torch.Tensor  # [B, T, R], f^i_t
    read_modes: torch.Tensor  # [B, T, R, 3], π^i_t (backward, content, forward)
    write_content: torch.Tensor  # [B, T, N], c^w_t
    write_weights: torch.Tensor  # [B, T, N], w^w_t
    read_content: torch.Tensor  # [B, T, R, N], c^r_t
    read_weights: torch.Tensor  # [B, T, R, N], w^r_t
    precedence: torch.Tensor  # [B, T, N], p_t
    link: torch.Tensor  # [B, T, N, N], L_t
    reads: torch.Tensor  # [B, T, R, W], r_t
    memory: torch.Tensor  # [B, T, N, W], M_t (after the step's write)
    interface: Interface  # every field stacked: [B, T, ...]


#: Read modes when the temporal links are off: content only (backward, content, forward).
CONTENT_ONLY = (0.0, 1.0, 0.0)


class DNC(RecurrentCore):
    """A Differentiable Neural Computer with one write head and ``read_heads`` read heads.

    Args:
        input_size, output_size: widths of ``x_t`` and of the logits.
        controller: ``"lstm"`` or ``"feedforward"`` (the NTM's controllers).
        controller_size: hidden width of the controller.
        memory_n, memory_m: memory rows ``N`` and word size ``W`` (called ``M`` in the NTM).
        read_heads: ``R >= 1``.
        temporal_links: ``False`` removes the link matrix and precedence (they stay 0) and makes
            every read a pure content read (read modes fixed to :data:`CONTENT_ONLY`): the link
            ablation of the paper's Extended Data Fig. 4.
        detach_usage: stop the gradient from the usage into the previous write weighting, as
            deepmind/dnc does (the paper does not say); ``False`` keeps the full gradient.
        dealloc_content: Csordás & Schmidhuber's (2019) de-allocation fix ("D"): multiply each memory
            row by its retention ``ψ_t`` before the write, so freed rows are wiped rather than only
            marked free (off by default: the paper's DNC).
        masking: their masking fix ("M"): every content lookup (write and reads) compares only the
            word entries its head's mask selects (:func:`~.equations.masked_content_weighting`).
        link_sharpness: their sharpness fix ("S"): forward and backward weightings are sharpened by
            a learned power per read head (:func:`~.equations.sharpen_links`); needs the links.

    No parameter depends on ``N``, so :meth:`with_memory_rows` runs a trained model with a larger
    memory unchanged. ``forward``, ``step``, ``initial_state``, ``with_memory_rows`` and
    ``compile_steps`` are the core's (:class:`~ntm_minimal.core.RecurrentCore`); ``step`` returns a
    :class:`StepInfo` as its record and ``forward(..., return_trace=True)`` a :class:`DNCTrace`.
    """

    State = DNCState

    def __init__(
        self,
        input_size: int,
        output_size: int,
        controller: str = "lstm",
        controller_size: int = 100,
        memory_n: int = 128,
        memory_m: int = 20,
        read_heads: int = 1,
        temporal_links: bool = True,
        detach_usage: bool = True,
        dealloc_content: bool = False,
        masking: bool = False,
        link_sharpness: bool = False,
    ):
        for name, value in [
            ("temporal_links", temporal_links),
            ("detach_usage", detach_usage),
            ("dealloc_content", dealloc_content),
            ("masking", masking),
            ("link_sharpness", link_sharpness),
        ]:
            if not isinstance(value, bool):
                raise ValueError(f"{name}: expected True or False, got {value!r}")
        if link_sharpness and not temporal_links:
            raise ValueError("link_sharpness: sharpens the temporal links' weightings, so it needs temporal_links=True")
        config = dict(
            input_size=input_size,
            output_size=output_size,
            controller=controller,
            controller_size=controller_size,
            memory_n=memory_n,
            memory_m=memory_m,
            read_heads=read_heads,
            temporal_links=temporal_links,
            detach_usage=detach_usage,
            dealloc_content=dealloc_content,
            masking=masking,
            link_sharpness=link_sharpness,
        )
        super().__init__(
            config, "interface", lambda: InterfaceLayer(controller_size, memory_m, read_heads, masking, link_sharpness)
        )
        self.register_buffer("memory_init", torch.full((memory_n, memory_m), MEMORY_INIT), persistent=False)
        self.register_buffer("content_only", torch.tensor(CONTENT_ONLY), persistent=False)

    def _initial_access(self, batch: int) -> tuple:
        memory = self.memory_init.expand(batch, -1, -1)
        n, r = memory.shape[1], self.read_heads
        zeros = memory.new_zeros(batch, n)
        read_weights = memory.new_zeros(batch, r, n)
        return (
            memory,
            zeros,
            zeros,
            memory.new_zeros(batch, n, n),
            zeros,
            read_weights,
            kernels.read(memory, read_weights),
        )

    def _access(self, h: torch.Tensor, controller_state, state: DNCState) -> tuple[DNCState, StepInfo]:
        """Steps 2-5: interface, usage and allocation, the write, the links, then the reads."""
        xi = self.interface(h)
        psi = dk.retention(xi.free_gates, state.read_weights)
        w_write_prev = state.write_weights.detach() if self.config["detach_usage"] else state.write_weights
        u = dk.usage(state.usage, w_write_prev, psi)
        alloc = dk.allocation(u)
        write_content = self._lookup(xi.write_key, xi.write_strength, state.memory, xi.write_mask)
        w_write = dk.write_weighting(alloc, write_content, xi.alloc_gate, xi.write_gate)
        memory = state.memory * psi.unsqueeze(-1) if self.config["dealloc_content"] else state.memory
        memory = kernels.write(memory, w_write, xi.erase, xi.write_vector)
        read_content = self._lookup(xi.read_keys, xi.read_strengths, memory, xi.read_masks)
        if self.config["temporal_links"]:
            link = dk.link(state.link, state.precedence, w_write)
            prec = dk.precedence(state.precedence, w_write)
            forward, backward = dk.directional_weightings(link, state.read_weights)
            if self.config["link_sharpness"]:
                forward = dk.sharpen_links(forward, xi.forward_sharpness)
                backward = dk.sharpen_links(backward, xi.backward_sharpness)
            w_read = dk.read_weighting(backward, read_content, forward, xi.read_modes)
        else:
            link, prec, w_read = state.link, state.precedence, read_content
            xi = xi._replace(read_modes=self.content_only.expand_as(xi.read_modes))
        reads = kernels.read(memory, w_read)
        new = DNCState(controller_state, memory, u, prec, link, w_write, w_read, reads)
        return new, StepInfo(xi, alloc, write_content, read_content)

    @staticmethod
    def _lookup(key, strength, memory, mask) -> torch.Tensor:
        """Content lookup, masked when the masking fix is on (the interface then carries a mask)."""
        if mask is None:
            return kernels.content_weighting(key, strength, memory)
        return dk.masked_content_weighting(key, strength, memory, mask)

    @staticmethod
    def _trace(states: DNCState, infos: StepInfo) -> DNCTrace:
        xi = infos.interface
        return DNCTrace(
            usage=states.usage,
            allocation=infos.allocation,
            write_gate=xi.write_gate,
            alloc_gate=xi.alloc_gate,
            free_gates=xi.free_gates.squeeze(-1),
            read_modes=xi.read_modes,
            write_content=infos.write_content,
            write_weights=states.write_weights,
            read_content=infos.read_content,
            read_weights=states.read_weights,
            precedence=states.precedence,
            link=states.link,
            reads=states.reads,
            memory=states.memory,
            interface=xi,
        )
