"""ntm_minimal.prose: the numbers a chapter glues into its text, and the record myst-nb reads."""

from __future__ import annotations

import pytest

from ntm_minimal import prose


def test_formats():
    assert prose.number(1024, 0) == "1,024" and prose.number(3.1, 2) == "3.10"
    assert prose.mean_se(1.7712, 0.1789) == "1.77 ± 0.18"
    assert prose.percent(0.992) == "99.2 %" and prose.percent(1) == "100.0 %" and prose.percent(0) == "0.0 %"
    assert prose.percent(0.99996) == "99.996 %"  # not rounded up to a perfect score
    row = {
        "bit_errors": 0.788,
        "bit_errors_se": 0.549,
        "bit_errors_worst": 402.0,
        "perfect_share": 0.9873046875,
        "batch_size": 1024,
    }
    assert prose.spread(row) == "0.79 ± 0.55 bit errors per sequence, worst 402, 98.7 % of 1,024 perfect"


def test_a_single_number_in_a_tensor_or_array_is_that_number():
    import numpy as np
    import torch

    assert prose.number(torch.tensor(0.2139), 2) == "0.21" and prose.percent(np.float64(0.5), 0) == "50 %"
    with pytest.raises(TypeError, match="value"):
        prose.number(torch.tensor([0.1, 0.2]))  # several numbers are not one
    with pytest.raises(TypeError, match="share"):
        prose.percent(torch.tensor(float("nan")))


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: prose.number(float("nan")), TypeError, "value"),
        (lambda: prose.number(True), TypeError, "value"),
        (lambda: prose.percent(1.5), ValueError, "share"),
        (lambda: prose.spread({"bit_errors": 1.0}), ValueError, "missing"),
        (lambda: prose.glue("two words", 1), ValueError, "name"),
        (lambda: prose.glue("x", [1, 2]), TypeError, "value"),
    ],
)
def test_bad_input_is_named(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_glue_writes_the_record_myst_nb_reads(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda data, raw, metadata: shown.append((data, raw, metadata)))
    assert prose.glue("copy_l120", 0.9217) == "0.92"
    assert prose.glue("sequences", 1024) == "1,024"
    assert prose.glue("worst", "402 bits") == "402 bits"
    (data, raw, meta), *_ = shown
    assert raw and meta == {"scrapbook": {"name": "copy_l120", "mime_prefix": prose.GLUE_PREFIX}}
    assert data == {prose.GLUE_PREFIX + "text/plain": "'0.92'"}
    from myst_nb.core.variables import format_plain_text  # what the book does with it

    assert format_plain_text(data[prose.GLUE_PREFIX + "text/plain"], "s") == "0.92"
    from myst_nb.ext.glue import GLUE_PREFIX

    assert GLUE_PREFIX == prose.GLUE_PREFIX
