# %% [markdown]
# # 0. Set-up and a tour of `ntm_minimal`
#
# This notebook checks that your environment can run the course, and shows where each part of the
# Neural Turing Machine (Graves, Wayne & Danihelka, 2014) lives in the course package. Every notebook
# starts with the set-up cell above: on Colab it installs `ntm_minimal`; everywhere it picks the
# device (a CUDA GPU when one is visible, otherwise the CPU).
#
# **You will:** confirm the versions of the course's libraries, see the package's modules next to
# the paper's equations, and run one untrained NTM forward pass.

# %% [markdown]
# ## The environment
#
# The course is pinned to the versions in `requirements.txt`. Newer versions usually work; if a
# notebook misbehaves, compare with this table first.

# %%
import importlib.metadata as md

for package in ["torch", "numpy", "matplotlib", "ipywidgets", "tqdm", "safetensors", "ntm-minimal"]:
    try:
        print(f"{package:12s} {md.version(package)}")
    except md.PackageNotFoundError:
        print(f"{package:12s} MISSING: install it with `pip install {package}`")

# %% [markdown]
# ## The package, equation by equation
#
# Each equation of section 3 of the paper is one small function. The chapters derive each one in a
# few lines of notebook code and check it against the package, which then takes over.
#
# | Eq. | what it does | function | chapter |
# |---|---|---|---|
# | 2 | read a weighted mix of memory rows | `ntm_minimal.memory.read` | 1 |
# | 3 | erase part of the rows a head points at | `ntm_minimal.memory.erase` | 2 |
# | 4 | add a vector to those rows | `ntm_minimal.memory.add` | 2 |
# | 5 | content addressing: softmax of scaled similarity | `ntm_minimal.addressing.content_weighting` | 3 |
# | 6 | cosine similarity of a key and each row | `ntm_minimal.addressing.cosine_similarity` | 3 |
# | 7 | interpolation with the previous weighting | `ntm_minimal.addressing.interpolate` | 4 |
# | 8 | circular convolutional shift | `ntm_minimal.addressing.shift` | 5 |
# | 9 | sharpening | `ntm_minimal.addressing.sharpen` | 6 |
#
# The functions check their arguments: a wrong shape fails at once, naming the argument.

# %%
from ntm_minimal import addressing, memory

for fn in [memory.read, memory.erase, memory.add, addressing.content_weighting,
           addressing.cosine_similarity, addressing.interpolate, addressing.shift, addressing.sharpen]:
    print(f"{fn.__module__}.{fn.__name__:18s}\n     {fn.__doc__.splitlines()[0]}")

# %% tags=["nbval-check-output"]
try:
    memory.read(torch.zeros(2, 128, 20), torch.zeros(2, 64))
except ValueError as err:
    print("ValueError:", err)

# %% [markdown]
# ## One forward pass
#
# An untrained NTM with the paper's copy-task sizes: an LSTM controller of 100 units, one read and
# one write head, and a memory of 128 rows of width 20. It maps a batch of sequences `[B, T, 9]` to
# logits `[B, T, 8]`; `return_trace=True` also returns what the heads did at every step.

# %% tags=["nbval-check-output"]
_ = torch.manual_seed(0)
model = ntm_minimal.NTM(input_size=9, output_size=8).to(device)
x = torch.randint(0, 2, (4, 10, 9), device=device).float()
logits, trace = model(x, return_trace=True)
print("parameters:   ", sum(p.numel() for p in model.parameters()))
print("logits:       ", list(logits.shape))
print("read weights: ", list(trace.read_weights.shape), "(batch, time, read heads, rows)")
print("memory:       ", list(trace.memory.shape), "(batch, time, rows, width)")
print("weights sum to 1:", bool(torch.allclose(trace.read_weights.sum(-1), torch.ones(()))))

# %% [markdown]
# ## Summary
#
# - The set-up cell at the top of every notebook installs the package on Colab and picks the device.
# - Equations 2–9 each live in one function of `ntm_minimal.memory` or `ntm_minimal.addressing`.
# - `ntm_minimal.NTM` puts them together; chapter 7 builds it from the pieces.

# %% [markdown]
# **What next:** go on to [chapter 1, memory and reading](01_memory_read.ipynb). Every symbol, its
# shape and its name in the code: [the glossary](../book/glossary.md).
