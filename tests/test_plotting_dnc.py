"""Chapter 14's pictures draw what the DNC's trace holds."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from ntm_minimal.dnc import DNC  # noqa: E402
from ntm_minimal.plotting import dnc as dnc_plots  # noqa: E402
from ntm_minimal.tasks import make_task  # noqa: E402


@pytest.fixture(scope="module")
def trace():
    torch.manual_seed(0)
    task = make_task("memory_reuse", sequences=2, min_len=3, max_len=3)
    model = DNC(task.input_size, task.output_size, controller="feedforward", controller_size=8, memory_n=5,
                memory_m=4, read_heads=2)
    with torch.no_grad():
        return model(task.sample(2, torch.Generator().manual_seed(0)).x, return_trace=True)[1]


def test_memory_management_panels_show_the_trace(trace):
    fig = dnc_plots.plot_memory_management(trace, index=1, head=1, steps=10, phases=[(4, 7)])
    write, read, usage, gates = fig.axes[:4]
    torch.testing.assert_close(torch.tensor(usage.images[0].get_array()), trace.usage[1, :10].T.float(),
                               check_dtype=False)
    torch.testing.assert_close(torch.tensor(read.images[0].get_array()), trace.read_weights[1, :10, 1].T.float(),
                               check_dtype=False)
    assert write.images[0].get_array().shape == (5, 10)
    free = gates.lines[2].get_ydata()
    torch.testing.assert_close(torch.tensor(free), trace.free_gates[1, :10, 1], check_dtype=False)
    assert len(gates.patches) == 1  # the shaded answer phase
    plt.close(fig)
    with pytest.raises(ValueError, match="index"):
        dnc_plots.plot_memory_management(trace, index=2)
    with pytest.raises(ValueError, match="head"):
        dnc_plots.plot_memory_management(trace, head=2)


def test_link_matrix_and_read_modes(trace):
    fig = dnc_plots.plot_link_matrix(trace.link[0, -1])
    torch.testing.assert_close(torch.tensor(fig.axes[0].images[0].get_array()), trace.link[0, -1].float(),
                               check_dtype=False)
    plt.close(fig)
    with pytest.raises(ValueError, match=r"link: expected a square tensor \[N, N\]"):
        dnc_plots.plot_link_matrix(trace.link[0])
    fig = dnc_plots.plot_read_modes(trace, index=0, head=0)
    assert len(fig.axes[0].collections) == 3  # backward, content, forward
    plt.close(fig)


def test_answer_phases_are_the_runs_of_scored_steps():
    batch = make_task("memory_reuse", sequences=3).sample(1, torch.Generator().manual_seed(0), length=2)
    assert dnc_plots.answer_phases(batch.mask[0]) == [(3, 5), (8, 10), (13, 15)]
    assert dnc_plots.answer_phases(torch.tensor([1.0, 1, 0, 1])) == [(0, 2), (3, 4)]
    assert dnc_plots.answer_phases(torch.zeros(4)) == []
    with pytest.raises(ValueError, match=r"mask: expected one sequence's mask \[T\]"):
        dnc_plots.answer_phases(batch.mask)
