"""Long-context recall (chapter 15): key -> value *facts* scattered among distractors over ``T`` steps,
then a query for one key; the answer is its value. The streaming variant asks many queries as the
sequence goes on, and the key it asks about changes from time to time.

Every step is one *token* of ``channels = key_bits + value_bits + 2`` channels:

===========================================  ====================================================
channels                                     meaning
===========================================  ====================================================
``0 .. key_bits-1``                          key bits (random 0/1 in every token)
``key_bits .. key_bits+value_bits-1``        value bits (random 0/1 in facts and distractors;
                                             all 0 in a query)
``key_bits+value_bits`` (the *fact flag*)    1 in a fact, 0 elsewhere
``key_bits+value_bits+1`` (the *query flag*) 1 in a query, 0 elsewhere
===========================================  ====================================================

:class:`LongRecallTask` (one query at the end):

=====================  =================================================================
steps                  input ``x``
=====================  =================================================================
``0 .. T-2``           distractors, except ``facts`` steps drawn without replacement in
                       ``0 .. T-1-tail`` that hold the facts (keys distinct in a sequence)
``T-1``                the query: the key bits of fact ``q`` (uniform), query flag 1
=====================  =================================================================

The target at step ``T-1`` is the value bits of fact ``q`` (``mask`` = 1 there only). Facts never
fall in the last ``tail`` steps, so a reader that only keeps a short recent window cannot cheat.

:class:`StreamingRecallTask` puts a query every ``query_every`` steps after ``warmup`` steps (the
query step replaces a distractor); each query asks about a fact seen before it: the first one about
a uniform earlier fact, each later one repeats the previous key with probability ``1 - switch``
and otherwise switches to a uniform earlier fact. Every query step is scored.

:meth:`~LongRecallTask.sample_layout` also returns where the facts and queries are (for the oracle
reader and the plots). Distractor keys are uniform, so a distractor can share a fact's key bits; it
never has the fact flag.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import NamedTuple

import torch

from .base import Batch, check_batch_size, check_int_range, random_bits


class RecallLayout(NamedTuple):
    """A batch and where its facts and queries are (all ``long``)."""

    batch: Batch
    fact_steps: torch.Tensor  # [B, F], sorted
    query_steps: torch.Tensor  # [B, Q] (same for every row)
    answer_steps: torch.Tensor  # [B, Q]: the step of the fact each query asks about


@dataclass
class LongRecallTask:
    """One query at the end of ``length`` steps about one of ``facts`` facts (see the module table)."""

    length: int = 4096
    facts: int = 16
    key_bits: int = 16
    value_bits: int = 8
    tail: int = 64
    name: str = "long_recall"

    def __post_init__(self):
        check_int_range("key_bits", self.key_bits, self.key_bits)
        check_int_range("value_bits", self.value_bits, self.value_bits)
        check_int_range("facts", self.facts, self.facts)
        check_int_range("tail", self.tail, self.tail, minimum=0)
        if self.facts > 2 ** min(self.key_bits, 62):
            raise ValueError(
                f"facts: {self.facts} distinct keys need key_bits >= log2(facts), got key_bits={self.key_bits}"
            )
        if not isinstance(self.length, int) or self.length < self.tail + self.facts + 1:
            raise ValueError(
                f"length: expected an int >= tail + facts + 1 = {self.tail + self.facts + 1}, got {self.length!r}"
            )

    @property
    def channels(self) -> int:
        return self.key_bits + self.value_bits + 2

    @property
    def input_size(self) -> int:
        return self.channels

    @property
    def output_size(self) -> int:
        return self.value_bits

    @property
    def fact_channel(self) -> int:
        return self.key_bits + self.value_bits

    def _fact_noise(self, batch_size: int, generator: torch.Generator) -> torch.Tensor:
        """Uniform noise ``[B, T']`` whose top ``facts`` columns are the fact steps (facts avoid the tail)."""
        return torch.rand(batch_size, self.length - 1 - self.tail, generator=generator)

    def _queries(self, fact_steps: torch.Tensor, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        """Query steps ``[B, Q]`` and the step of the fact each one asks about ``[B, Q]``."""
        b = fact_steps.shape[0]
        which = torch.randint(0, self.facts, (b, 1), generator=generator)
        return torch.full((b, 1), self.length - 1), fact_steps.gather(1, which)

    def sample_layout(self, batch_size: int, generator: torch.Generator) -> RecallLayout:
        """A batch (every token drawn as in the module table) and its layout."""
        check_batch_size(batch_size)
        b, T, kb, vb = batch_size, self.length, self.key_bits, self.value_bits
        x = random_bits((b, T, self.channels), generator)
        x[..., kb + vb :] = 0.0
        # Fact steps without replacement: the top F of uniform noise over the allowed steps, in time order.
        fact_steps = self._fact_noise(b, generator).topk(self.facts, dim=1).indices.sort(dim=1).values  # [B, F]
        rows = torch.arange(b)[:, None]
        x[rows, fact_steps, :kb] = _distinct_keys(b, self.facts, kb, generator)
        x[rows, fact_steps, kb + vb] = 1.0
        query_steps, answer_steps = self._queries(fact_steps, generator)
        x[rows, query_steps] = 0.0
        x[rows, query_steps, :kb] = x[rows, answer_steps, :kb]
        x[rows, query_steps, kb + vb + 1] = 1.0
        y = torch.zeros(b, T, vb)
        mask = torch.zeros(b, T)
        y[rows, query_steps] = x[rows, answer_steps, kb : kb + vb]
        mask[rows, query_steps] = 1.0
        return RecallLayout(Batch(x, y, mask), fact_steps, query_steps, answer_steps)

    def sample(self, batch_size: int, generator: torch.Generator, **overrides) -> Batch:
        """A batch in the common task format (``x``, ``y``, ``mask``); ``overrides`` replace settings
        for this batch only (e.g. ``length=4096`` to evaluate beyond the training range)."""
        unknown = sorted(set(overrides) - {f.name for f in fields(self)} - {"name"})
        if unknown or "name" in overrides:
            raise ValueError(f"overrides: expected task settings such as length or facts, got {unknown or ['name']}")
        task = replace(self, **overrides) if overrides else self
        return task.sample_layout(batch_size, generator).batch


@dataclass
class StreamingRecallTask(LongRecallTask):
    """Queries every ``query_every`` steps after ``warmup``; the key changes with probability ``switch``."""

    warmup: int = 1024
    query_every: int = 128
    switch: float = 0.25
    name: str = "streaming_recall"

    def __post_init__(self):
        super().__post_init__()
        check_int_range("query_every", self.query_every, self.query_every)
        if not 0.0 <= self.switch <= 1.0:
            raise ValueError(f"switch: expected a probability in [0, 1], got {self.switch!r}")
        if not isinstance(self.warmup, int) or not 0 < self.warmup < self.length:
            raise ValueError(f"warmup: expected an int in 1..length-1={self.length - 1}, got {self.warmup!r}")

    def query_step_list(self) -> torch.Tensor:
        """The query steps ``[Q]``: ``warmup - 1 + k * query_every`` up to the last step."""
        return torch.arange(self.warmup - 1, self.length, self.query_every)

    def _fact_noise(self, batch_size, generator):
        # No fact on a query step (noise below every allowed step's); step 0 always holds a fact,
        # so the first query has an earlier fact to ask about.
        noise = torch.rand(batch_size, self.length, generator=generator)
        noise[:, self.query_step_list()] = -1.0
        noise[:, 0] = 2.0
        return noise

    def _queries(self, fact_steps, generator):
        queries = self.query_step_list()
        return queries.expand(fact_steps.shape[0], -1).clone(), self._stream_answers(fact_steps, queries, generator)

    def _stream_answers(self, fact_steps, queries, generator) -> torch.Tensor:
        """For each query, the step of the fact it asks about ``[B, Q]`` (a fact before the query)."""
        b, nq = fact_steps.shape[0], queries.numel()
        seen = (fact_steps[:, None, :] < queries[None, :, None]).sum(-1)  # [B, Q] facts seen before each query
        fresh = (torch.rand(b, nq, generator=generator) * seen).long()  # uniform earlier fact, per query
        switch = torch.rand(b, nq, generator=generator) < self.switch
        switch[:, 0] = True
        # A query keeps the key of the latest switching query: index of the last True so far.
        last = torch.cummax(torch.where(switch, torch.arange(nq), torch.zeros(nq, dtype=torch.long)), dim=1).values
        which = fresh.gather(1, last)
        return fact_steps.gather(1, which)


def _distinct_keys(batch: int, count: int, bits: int, generator: torch.Generator) -> torch.Tensor:
    """``[B, count, bits]`` 0/1 keys, distinct within each row (integers drawn without replacement)."""
    space = 2 ** min(bits, 62)
    if space <= 4 * count:  # small key space: a permutation of all of it
        ints = torch.rand(batch, space, generator=generator).argsort(dim=1)[:, :count]
    else:  # large: draw, then redraw the rare duplicates (bounded: collisions have probability < count^2/space)
        ints = torch.randint(0, space, (batch, count), generator=generator)
        for _ in range(64):
            dup = ints.sort(dim=1).values
            if not bool((dup[:, 1:] == dup[:, :-1]).any()):
                break
            ints = torch.randint(0, space, (batch, count), generator=generator)
    powers = 2 ** torch.arange(min(bits, 62))
    out = torch.zeros(batch, count, bits)
    out[..., : min(bits, 62)] = ((ints[..., None] // powers) % 2).float()
    return out
