"""The generate step's parts: sections as pymdownx cuts them, cache keys, running a page, the
fragments and the notebook; and the strict build failing on a broken include."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import markdown
import pytest

from sitekit import fragments, notebook, run, source
from sitekit.source import ROOT

PAGE = """\"\"\"A page module.\"\"\"
import math

# --8<-- [start:first]
x = 2
print("x is", x)
# --8<-- [end:first]

y = x + 1  # between sections: runs, shown nowhere

# --8<-- [start:second]
print(math.sqrt(y + 6))
# --8<-- [end:second]
"""


def test_sections_are_what_pymdownx_includes(tmp_path):
    """A section is exactly the text pymdownx.snippets puts in the page."""
    path = tmp_path / "mod.py"
    path.write_text(PAGE, encoding="utf-8")
    md = markdown.Markdown(extensions=["pymdownx.snippets"],
                           extension_configs={"pymdownx.snippets": {"base_path": [str(tmp_path)], "check_paths": True}})
    for name, code in source.sections(path).items():
        html = md.reset().convert(f'```\n--8<-- "mod.py:{name}"\n```')
        assert code in html.replace("&quot;", '"')
    assert [name for name, _ in source.chunks(path)] == [None, "first", None, "second"]
    assert "".join(code for _, code in source.chunks(path)).count("print") == 2


def test_run_page_records_each_section_and_names_the_failing_one(tmp_path):
    path = tmp_path / "page.py"
    path.write_text(PAGE, encoding="utf-8")
    assert run.run_page(path) == {"outputs": {"first": "x is 2\n", "second": "3.0\n"}, "error": None}
    path.write_text(PAGE.replace("y + 6", "undefined_name"), encoding="utf-8")
    result = run.run_page(path)
    assert result["outputs"] == {"first": "x is 2\n"}
    assert result["error"].startswith("section 'second'") and "NameError" in result["error"]


def test_closure_follows_imports_transitively():
    """A page module's key covers the snippets modules it imports, and theirs."""
    page = ROOT / "snippets" / "normalization" / "examples" / "batch_norm_page.py"
    names = {p.relative_to(ROOT).as_posix() for p in source.closure(page)}
    assert "snippets/normalization/batch_norm.py" in names
    assert "snippets/_checks.py" in names  # imported by batch_norm.py, not by the page


def test_key_changes_with_an_imported_module_and_with_results_read(tmp_path, monkeypatch):
    (tmp_path / "snippets" / "t" / "examples").mkdir(parents=True)
    (tmp_path / "results").mkdir()
    (tmp_path / "requirements.txt").write_text("x==1\n", encoding="utf-8")
    for init in ("snippets/__init__.py", "snippets/t/__init__.py"):
        (tmp_path / init).write_text("", encoding="utf-8")
    (tmp_path / "snippets" / "t" / "lib.py").write_text("A = 1\n", encoding="utf-8")
    (tmp_path / "results" / "r.json").write_text("{}", encoding="utf-8")
    page = tmp_path / "snippets" / "t" / "examples" / "p_page.py"
    page.write_text("from snippets.t.lib import A\nprint(A)\n", encoding="utf-8")
    monkeypatch.setattr(source, "ROOT", tmp_path)

    def key() -> str:
        source.forget()
        return source.key(page)

    first = key()
    (tmp_path / "results" / "r.json").write_text('{"a": 1}', encoding="utf-8")
    assert key() == first  # the page does not read results
    (tmp_path / "snippets" / "t" / "lib.py").write_text("A = 2\n", encoding="utf-8")
    second = key()
    assert second != first
    page.write_text('from snippets.t.lib import A\nprint(A, open("results/r.json").read())\n', encoding="utf-8")
    third = key()
    (tmp_path / "results" / "r.json").write_text('{"a": 2}', encoding="utf-8")
    assert key() != third


def test_output_block_fence_outlasts_backticks_in_the_output():
    block = fragments.output_block("a ``` b\n")
    assert block.startswith("```` { .text .rn-output }\n") and fragments.output_block("  \n") == ""


def test_corrections_lists_title_text_link_and_evidence():
    page = ('# T\n\n## A heading with `code`\n\n!!! correction "It is wrong"\n    The notes say so.\n'
            '    See [there](other.md).\n\n```python title="x"\n--8<-- "snippets/t/examples/p_page.py:proof"\n```\n')
    text = fragments.corrections("t/p.md", "T", page, {"snippets/t/examples/p_page.py": {"proof": "42\n"}}, "en")
    assert "### It is wrong" in text and "(../t/p.md#a-heading-with-code)" in text
    assert "(../t/other.md)" in text and "42" in text
    chinese = page.replace("## A heading with `code`", "## 带代码的标题 {#a-heading-with-code}")
    assert "(../t/p.md#a-heading-with-code)" in fragments.corrections("t/p.md", "T", chinese, {}, "zh")


def test_notebook_has_prose_before_the_section_it_introduces(tmp_path):
    path = tmp_path / "p_page.py"
    path.write_text(PAGE, encoding="utf-8")
    page = ('# Title\n\nIntro [link](other.md).\n\n```python title="t"\n--8<-- "x/p_page.py:second"\n```\n'
            '--8<-- "generated/en/x/p_page.md:second"\n')
    book = json.loads(notebook.notebook(path, "x/p_page.py", page, {"second": "3.0\n"}, "http://h/", "t/p.md", "T",
                                        "Code of <{url}>"))
    kinds = [(c["cell_type"], c["metadata"].get("section")) for c in book["cells"]]
    assert kinds == [("markdown", None), ("code", None), ("code", "first"), ("code", None),
                     ("markdown", None), ("code", "second")]
    assert "http://h/t/other/" in "".join(book["cells"][4]["source"])
    assert book["cells"][5]["outputs"][0]["text"] == ["3.0\n"]


def _mini_site(tmp_path: Path, include: str) -> Path:
    """A copy of the project's config with one page that includes ``include``."""
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    head, _, rest = config.partition("\nnav:\n")
    _, _, tail = rest.partition("\ntheme:\n")
    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "docs" / "assets", docs / "assets", ignore=shutil.ignore_patterns("generated"))
    (docs / "index.md").write_text(f'# Probe\n\n```python\n--8<-- "{include}"\n```\n', encoding="utf-8")
    text = head + "\nnav:\n  - Probe: index.md\n\ntheme:\n" + tail
    text = re.sub(r"\nwatch:\n(  - .*\n)+", "\n", text)
    text = text.replace('base_path: ["."]', f'base_path: ["{ROOT}"]').replace(
        "custom_dir: overrides", f"custom_dir: {ROOT / 'overrides'}")
    (tmp_path / "mkdocs.yml").write_text(text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("include,builds", [
    ("snippets/normalization/batch_norm.py:no_such_section", False),
    ("snippets/no_such_module.py:anything", False),
    ("snippets/normalization/batch_norm.py:imports", True),
])
def test_strict_build_fails_on_a_broken_include(tmp_path, include, builds):
    """A missing section or file fails the strict build; the control builds."""
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q"], capture_output=True,
                          text=True, cwd=_mini_site(tmp_path, include), timeout=120)
    assert (done.returncode == 0) == builds, done.stderr[-2000:]
