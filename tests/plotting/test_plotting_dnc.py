"""The pictures of chapters 14 and 14b draw what the DNC's trace holds."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from ntm_minimal.dnc import DNC  # noqa: E402
from ntm_minimal.plotting import dnc as dnc_plots  # noqa: E402
from ntm_minimal.plotting.style import MODEL_COLORS  # noqa: E402
from ntm_minimal.tasks import make_task  # noqa: E402


@pytest.fixture(scope="module")
def trace():
    torch.manual_seed(0)
    task = make_task("memory_reuse", sequences=2, min_len=3, max_len=3)
    model = DNC(
        task.input_size,
        task.output_size,
        controller="feedforward",
        controller_size=8,
        memory_n=5,
        memory_m=4,
        read_heads=2,
    )
    with torch.no_grad():
        return model(task.sample(2, torch.Generator().manual_seed(0)).x, return_trace=True)[1]


def test_memory_management_panels_show_the_trace(trace):
    fig = dnc_plots.plot_memory_management(trace, index=1, head=1, steps=10, phases=[(4, 7)])
    write, read, usage, gates = fig.axes[:4]
    torch.testing.assert_close(
        torch.tensor(usage.images[0].get_array()), trace.usage[1, :10].T.float(), check_dtype=False
    )
    torch.testing.assert_close(
        torch.tensor(read.images[0].get_array()), trace.read_weights[1, :10, 1].T.float(), check_dtype=False
    )
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
    torch.testing.assert_close(
        torch.tensor(fig.axes[0].images[0].get_array()), trace.link[0, -1].float(), check_dtype=False
    )
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


def test_rows_over_time_put_row_0_on_top_with_integer_ticks(trace):
    fig, ax = plt.subplots()
    dnc_plots.plot_rows_over_time(ax, trace.usage[0])
    bottom, top = ax.get_ylim()
    assert top < bottom  # row 0 at the top, as in every memory picture of the course
    fig.canvas.draw()
    assert all(float(t).is_integer() for t in ax.get_xticks())
    plt.close(fig)
    with pytest.raises(ValueError, match=r"w: expected weightings over time \[T, N\]"):
        dnc_plots.plot_rows_over_time(ax, trace.usage)


def test_memory_management_and_read_modes_label_the_shaded_band(trace):
    fig = dnc_plots.plot_memory_management(trace, phases=[(4, 7)])
    assert dnc_plots.PHASE_LABEL in [t.get_text() for t in fig.axes[3].get_legend().get_texts()]
    assert all(a.get_ylim()[1] < a.get_ylim()[0] for a in fig.axes[:3])
    plt.close(fig)
    fig = dnc_plots.plot_read_modes(trace, phases=[(4, 7)])
    fig.canvas.draw()
    assert dnc_plots.PHASE_LABEL in [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert all(float(t).is_integer() for t in fig.axes[0].get_xticks())
    plt.close(fig)


def test_row_bars_group_the_weightings_by_row():
    fig = dnc_plots.plot_row_bars({"before": torch.tensor([0.1, 0.5, 0.9]), "after": torch.tensor([0.2, 0.0, 1.0])})
    bars = fig.axes[0].patches
    assert len(bars) == 6 and [round(b.get_height(), 2) for b in bars] == [0.1, 0.5, 0.9, 0.2, 0.0, 1.0]
    assert bars[0].get_x() < bars[3].get_x() < bars[1].get_x()  # row 0's two bars come before row 1's
    plt.close(fig)
    with pytest.raises(ValueError, match="same number of rows"):
        dnc_plots.plot_row_bars({"a": torch.zeros(3), "b": torch.zeros(4)})
    with pytest.raises(ValueError, match=r"weightings\['a'\]"):
        dnc_plots.plot_row_bars({"a": torch.zeros(2, 3)})


def test_model_curves_keep_one_colour_per_model():
    log = {"sequences": [0, 10, 20], "heldout_bit_errors": [5.0, 1.0, 0.0]}
    fig = dnc_plots.plot_model_curves({"NTM": log, "DNC": log, "DNC without links": log, "LSTM": log})
    ntm, dnc, nolinks, lstm = fig.axes[0].lines
    assert ntm.get_color() == MODEL_COLORS["ntm"] and lstm.get_color() == MODEL_COLORS["lstm"]
    assert dnc.get_color() == nolinks.get_color() == MODEL_COLORS["dnc"] and nolinks.get_linestyle() == "--"
    assert list(dnc.get_ydata()) == [5.0, 1.0, 1e-3]  # a zero is drawn at the floor, and the axis says so
    assert "0 drawn at 0.001" in fig.axes[0].get_ylabel()
    plt.close(fig)
    with pytest.raises(ValueError, match="label"):
        dnc_plots.plot_model_curves({"GRU": log})
