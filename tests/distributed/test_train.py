"""snippets.distributed.train under torchrun: 2 gloo processes, bounded by a subprocess timeout."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.distributed
@pytest.mark.xdist_group("distributed")
class TestTorchrunEntryPoint:
    def test_torchrun_two_gloo_processes(self):
        """python -m torch.distributed.run --nproc-per-node 2 -m snippets.distributed.train matches 1 process."""
        env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2",
                   "-m", "snippets.distributed.train", "--timeout", "20"]
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=55)
        # the ranks' own messages come before torchrun's summary: show both ends
        assert done.returncode == 0, done.stderr[:3000] + "\n[...]\n" + done.stderr[-1500:]
        assert "world_size=2 backend=gloo batches/rank=4" in done.stdout
        diff = float(done.stdout.split("max|DDP - single process|=")[1].split()[0])
        assert diff < 1e-6
