#!/usr/bin/env bash
# One prepared session on a lent GPU: the GPU benchmarks and the CUDA cases of the kernel tests.
#   PYTHON=.venv/bin/python bash benchmarks/gpu_session.sh      (OUT=<dir> also copies the results there)
# Writes results/bench/{gpu_limits,gpu_normalization,gpu_sinx}.json; the CPU result files are left alone.
set -u
PY=${PYTHON:-.venv/bin/python}
export MPLBACKEND=Agg PYTHONHASHSEED=0
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv 2>/dev/null || true
"$PY" -c "import torch, triton; print('torch', torch.__version__, 'triton', triton.__version__, 'cuda', torch.cuda.is_available())"
status=0
timeout 420 "$PY" -m benchmarks gpu_limits gpu_normalization gpu_sinx || status=$?
timeout 150 "$PY" -m pytest -q -p no:xdist -p no:cacheprovider --torch-device cuda \
    tests/normalization/test_triton_layer_norm.py tests/performance || status=$?
if [ -n "${OUT:-}" ]; then
    mkdir -p "$OUT" && cp results/bench/gpu_limits.json results/bench/gpu_normalization.json \
        results/bench/gpu_sinx.json "$OUT"/ 2>/dev/null
fi
exit $status
