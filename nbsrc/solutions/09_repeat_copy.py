# %% [markdown]
# # Exercise 9: the repeat copy task's data
#
# Build a batch of [chapter 9](../notebooks/09_repeat_copy.ipynb)'s task from its random vectors.
# Given `seq` `[B, L, bits]`, a number of repeats $R$ and the `repeat_scale` (10 in the course),
# return `Batch(x, y, mask)` with $T = (R+1)L + 2$ steps, `x` `[B, T, bits+2]`, `y` `[B, T, bits+1]`:
#
# | steps | input $x_t$ | target $y_t$ | scored |
# |---|---|---|---|
# | $0 \ldots L-1$ | the vectors (channels `0 .. bits-1`) | 0 | no |
# | $L$ | delimiter: channel `bits` = 1, channel `bits+1` = $R$ / `repeat_scale` | 0 | no |
# | $L+1 \ldots L+RL$ | zeros | the vectors, $R$ times over, channel `bits` = 0 | yes |
# | $L+RL+1$ | zeros | the end marker: channel `bits` = 1, others 0 | yes |
#
# One case asks for 15 repeats, more than in training: the repeat channel then reads 1.5, as in
# the paper's generalisation test. Rules: no Python loops (not over the repeats either);
# do not call `ntm_minimal.tasks.repeat_copy`.

# %%
from ntm_minimal.tasks import Batch

# %% tags=["exercise"]
def repeat_copy_batch(seq, repeats, repeat_scale=10.0):
    """The repeat-copy batch of ``seq`` ``[B, L, bits]`` repeated ``repeats`` times -> ``Batch(x, y, mask)``.

    Hint: ``seq.repeat(1, repeats, 1)`` is the sequence ``repeats`` times over, ``[B, R*L, bits]``.
    """
    # BEGIN SOLUTION
    b, length, bits = seq.shape
    t = (repeats + 1) * length + 2
    x, y, mask = seq.new_zeros(b, t, bits + 2), seq.new_zeros(b, t, bits + 1), seq.new_zeros(b, t)
    x[:, :length, :bits] = seq
    x[:, length, bits] = 1.0  # delimiter
    x[:, length, bits + 1] = repeats / repeat_scale  # how many copies, scaled
    answer = slice(length + 1, length + 1 + repeats * length)
    y[:, answer, :bits] = seq.repeat(1, repeats, 1)  # the copies, back to back
    y[:, -1, bits] = 1.0  # the end marker, on the last step
    mask[:, length + 1:] = 1.0  # the copies and the end marker are scored
    return Batch(x, y, mask)
    # END SOLUTION


# %% tags=["uses-exercise"]
from ntm_minimal.course import tasks as task_checks

task_checks.check_repeat_copy_batch(repeat_copy_batch)

# %% [markdown]
# ## See it work
#
# The shipped repeat-copy NTM on batches built by your function: 5 repeats (inside training) and
# 12 (beyond it), sequences of length 10. Bit errors per sequence, and whether it raised the end
# marker at the right step (the marker's logit above 0 on the last step, and nowhere before).

# %% tags=["uses-exercise"]
from ntm_minimal import metrics, pretrained

model = pretrained.load("repeat_copy")
gen = torch.Generator().manual_seed(9)
for repeats in (5, 12):
    batch = repeat_copy_batch(torch.randint(0, 2, (16, 10, 8), generator=gen).float(), repeats)
    with torch.no_grad():
        logits = model(batch.x)
    marker = logits[:, 11:, 8] > 0  # the end-marker channel over the answer steps
    on_time = (marker[:, -1] & ~marker[:, :-1].any(1)).float().mean().item()
    print(f"R = {repeats:2d}: {batch.x.shape[1]} steps, {metrics.bit_errors(logits, batch).mean().item():.2f} bit "
          f"errors per sequence, end marker on time in {on_time:.0%} of sequences")
