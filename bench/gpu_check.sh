#!/usr/bin/env bash
# GPU checks, for a machine with a CUDA device (CI has none): the CUDA tests, then the step and
# retraining benchmarks on the GPU and, for comparison on the same machine, on one CPU thread.
# Usage: bench/gpu_check.sh [python]   (default: .venv/bin/python if there is one, else python3)
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${1:-$([ -x .venv/bin/python ] && echo .venv/bin/python || echo python3)}
export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH} PYTHONUNBUFFERED=1
"$PY" -c "import torch; assert torch.cuda.is_available(), 'no CUDA device'" || exit 1
status=0
"$PY" -m pytest tests/test_model.py tests/test_training.py -q -k cuda -p no:cacheprovider || status=1
"$PY" bench/step.py --device cuda --batch-sizes 1 32 256 || status=1
"$PY" bench/retrain.py --device cuda || status=1
"$PY" bench/retrain.py --device cpu --repeats 5 || status=1
exit $status
