"""The addressing explorer and the chapter 5-7 figures: right numbers, right panels, bad input rejected."""

from __future__ import annotations

import matplotlib

matplotlib.use("agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from ntm_minimal import addressing, plotting  # noqa: E402
from ntm_minimal.plotting import explorer  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_example_is_seeded_and_valid():
    a, b = explorer.explorer_example(), explorer.explorer_example()
    for x, y in zip(a, b):
        torch.testing.assert_close(x, y)
    assert a.memory.shape == (10, 6) and a.key.shape == (6,)
    torch.testing.assert_close(a.w_prev.sum(), torch.tensor(1.0, dtype=torch.float64))
    assert int(a.w_prev.argmax()) == 2
    with pytest.raises(ValueError, match="key_row"):
        explorer.explorer_example(n=5, key_row=6)


def test_stages_match_the_package_pipeline():
    ex = explorer.explorer_example()
    stages, s = explorer.explorer_stages(ex, beta=7.0, g=0.3, s=(1.0, 2.0, 1.0), gamma=2.5)
    torch.testing.assert_close(s, torch.tensor([0.25, 0.5, 0.25], dtype=torch.float64))  # normalised
    one = lambda x: torch.tensor([[x]], dtype=torch.float64)  # noqa: E731
    want = addressing.address(ex.key[None], one(7.0), one(0.3), s[None], one(2.5), ex.w_prev[None], ex.memory[None])
    torch.testing.assert_close(stages.sharpened, want[0])
    assert all(x.shape == (10,) for x in stages)


def test_presets_do_what_their_names_say():
    ex = explorer.explorer_example()
    focus = {name: int(explorer.explorer_stages(ex, **p)[0].sharpened.argmax()) for name, p in explorer.PRESETS.items()}
    assert focus["content lookup"] == 6  # the key is a noisy copy of row 6
    assert focus["keep position, step +1"] == 3  # previous focus row 2, one step on
    assert focus["content, then step +1"] == 7
    blurred = explorer.explorer_stages(ex, **explorer.PRESETS["blurred step"])[0].sharpened
    sharpened = explorer.explorer_stages(ex, **explorer.PRESETS["blurred step, sharpened"])[0].sharpened
    assert sharpened.max() > 0.95 > 0.6 > blurred.max()


def test_all_zero_shift_means_stay_and_bad_shift_is_rejected():
    ex = explorer.explorer_example()
    stages, s = explorer.explorer_stages(ex, beta=1.0, g=0.0, s=(0.0, 0.0, 0.0), gamma=1.0)
    torch.testing.assert_close(s, torch.tensor([0.0, 1.0, 0.0], dtype=torch.float64))
    torch.testing.assert_close(stages.shifted, stages.gated)
    for bad in [(0.5, 0.5), (0.2, -0.1, 0.9)]:
        with pytest.raises(ValueError, match="s: expected an odd number of non-negative"):
            explorer.explorer_stages(ex, beta=1.0, g=0.0, s=bad, gamma=1.0)


def test_static_explorer_has_one_row_per_preset():
    fig = plotting.plot_explorer_presets()
    assert len(fig.axes) == 6 * len(explorer.PRESETS)
    presets = {"a": dict(beta=1.0, g=1.0, s=(0, 1, 0), gamma=1.0)}
    assert len(plotting.plot_explorer_presets(presets=presets).axes) == 6
    assert len(plotting.plot_explorer(explorer.explorer_example(), 1.0, 0.5, (0, 1, 0), 3.0).axes) == 6


def test_explorer_row_needs_six_axes():
    ex = explorer.explorer_example()
    stages, s = explorer.explorer_stages(ex, beta=1.0, g=0.5, s=(0, 1, 0), gamma=1.0)
    _, axes = plt.subplots(1, 5)
    with pytest.raises(ValueError, match="axes: expected 6 axes"):
        explorer.plot_explorer_row(axes, ex, stages, s)


def test_widget_builds_and_presets_move_the_sliders():
    widgets = pytest.importorskip("ipywidgets")
    ui = plotting.addressing_explorer(preset="content lookup")
    assert isinstance(ui, widgets.VBox)
    dropdown, *controls = ui.children[0].children  # the grid of controls, then the figure
    sliders = {w.description: w for w in controls}
    assert sliders["g (Eq. 7)"].value == 1.0
    dropdown.value = "blurred step, sharpened"
    assert sliders["g (Eq. 7)"].value == 0.0 and sliders["γ (Eq. 9)"].value == 10.0
    assert sliders["s(+1)"].value == pytest.approx(0.6)
    with pytest.raises(ValueError, match="preset"):
        plotting.addressing_explorer(preset="no such preset")


def test_importing_plotting_does_not_import_ipywidgets():
    import os
    import subprocess
    import sys

    code = "import sys, ntm_minimal.plotting; print('ipywidgets' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "MPLBACKEND": "agg"},
    )
    assert out.stdout.strip() == "False"


def test_weighting_sequences_sharey_option():
    seqs = {"x": torch.rand(5, 3), "w": torch.softmax(torch.randn(5, 8), -1)}
    shared = plotting.plot_weighting_sequences(seqs)
    own = plotting.plot_weighting_sequences(seqs, sharey=False)
    assert shared.axes[1].get_ylabel() == "" and own.axes[1].get_ylabel() == "memory row i"
    assert own.axes[0].get_ylim() != own.axes[1].get_ylim()
