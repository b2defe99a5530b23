"""sitekit: block extraction, execution, closure hashing, and the build's include checks."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sitekit import closure
from sitekit.blocks import extract_blocks
from sitekit.execute import run_blocks

ROOT = Path(__file__).resolve().parents[2]

HTML = """
<div class="language-python highlight"><pre><span></span><code><span class="n">x</span> <span class="o">=</span> <span class="mi">1</span>
<span class="nb">print</span><span class="p">(</span><span class="n">x</span> <span class="o">&lt;</span> <span class="mi">2</span><span class="p">)</span>
</code></pre></div>
<div class="rn-output"><pre><code>True
</code></pre></div>
<div class="language-bash highlight"><pre><code>make test</code></pre></div>
<div class="language-python norun highlight"><pre><code>raise SystemExit</code></pre></div>
"""


class TestExtractBlocks:
    def test_reads_code_as_shown(self):
        """Code text is unescaped from the highlighted HTML; other languages are ignored."""
        blocks = extract_blocks(HTML)
        assert [b.code for b in blocks] == ["x = 1\nprint(x < 2)\n", "raise SystemExit\n"]

    def test_norun_and_output(self):
        """A .norun block is marked; the output div under a block is attached to it."""
        first, second = extract_blocks(HTML)
        assert first.runs and first.shown_output == "True\n"
        assert not second.runs and second.shown_output is None


class TestRunBlocks:
    def test_shared_namespace_and_stdout(self):
        """Blocks share one namespace, in order, and each block's stdout is separate."""
        runs = run_blocks(["a = 2\nprint('one')\n", "print(a * 21)\n"])
        assert [r.stdout for r in runs] == ["one\n", "42\n"]
        assert all(r.error is None for r in runs)

    def test_stops_at_first_error(self):
        """A raising block is reported with its traceback and later blocks do not run."""
        runs = run_blocks(["1 / 0\n", "print('never')\n"])
        assert len(runs) == 1 and "ZeroDivisionError" in runs[0].error


class TestClosure:
    def test_transitive_imports(self):
        """A page importing batch_norm depends on it and on the modules it imports."""
        modules = closure.module_closure("from snippets.normalization.batch_norm import batch_norm\n")
        assert "snippets.normalization.batch_norm" in modules
        assert "snippets._checks" in modules and "snippets" in modules

    def test_hash_changes_with_code(self):
        """Different code gives a different key; the same code the same key."""
        assert closure.content_hash("print(1)") == closure.content_hash("print(1)")
        assert closure.content_hash("print(1)") != closure.content_hash("print(2)")

    def test_recorded_results_key_only_the_code_that_reads_them(self, monkeypatch, tmp_path):
        """A new file under results/ changes the key of a page showing benchmark results
        (snippets.performance.report reads results/bench), not of a page that never reads results."""
        reads = "from snippets.performance.report import load_results\n"
        plain = "from snippets.normalization.batch_norm import batch_norm\n"
        before = closure.content_hash(reads), closure.content_hash(plain)
        (tmp_path / "bench").mkdir()
        monkeypatch.setattr(closure, "RESULTS_DIR", tmp_path)
        closure.clear_caches()
        (tmp_path / "bench" / "new.json").write_text("{}", encoding="utf-8")
        try:
            after = closure.content_hash(reads), closure.content_hash(plain)
        finally:
            closure.clear_caches()
        assert after[0] != before[0]
        assert after[1] == before[1]
        assert closure.READS_RESULTS.search(b'open("results/x.json")')


def _mini_site(tmp_path: Path, include: str) -> Path:
    """A copy of the project's config with one page that includes ``include``."""
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    head, _, rest = config.partition("\nnav:\n")
    _, _, tail = rest.partition("\ntheme:\n")
    docs = tmp_path / "docs"
    (docs / "assets").mkdir(parents=True)
    shutil.copytree(ROOT / "docs" / "assets", docs / "assets", dirs_exist_ok=True)
    (docs / "index.md").write_text(f'# Probe\n\n```python\n--8<-- "{include}"\n```\n', encoding="utf-8")
    text = head + "\nnav:\n  - Probe: index.md\n\ntheme:\n" + tail
    text = text.replace("sitekit/hooks.py", str(ROOT / "sitekit" / "hooks.py"))
    text = re.sub(r"\nwatch:\n(  - .*\n)+", "\n", text)  # serve-only paths, relative to the real project
    text = text.replace('base_path: ["."]', f'base_path: ["{ROOT}"]')
    text = text.replace("custom_dir: overrides", f"custom_dir: {ROOT / 'overrides'}")
    (tmp_path / "mkdocs.yml").write_text(text, encoding="utf-8")
    return tmp_path


def _build(project: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q"], cwd=project,
                          capture_output=True, text=True, timeout=120)


class TestIncludes:
    @pytest.mark.slow
    def test_missing_section_fails_the_build(self, tmp_path):
        """Including a section that does not exist fails the strict build."""
        result = _build(_mini_site(tmp_path, "snippets/normalization/batch_norm.py:no_such_section"))
        assert result.returncode != 0
        assert "no_such_section" in result.stderr + result.stdout

    @pytest.mark.slow
    def test_missing_file_fails_the_build(self, tmp_path):
        """Including a file that does not exist fails the strict build."""
        result = _build(_mini_site(tmp_path, "snippets/no_such_module.py:anything"))
        assert result.returncode != 0

    @pytest.mark.slow
    def test_existing_section_builds(self, tmp_path):
        """The same mini site builds when the section exists (the control)."""
        result = _build(_mini_site(tmp_path, "snippets/normalization/batch_norm.py:imports"))
        assert result.returncode == 0, result.stderr
