"""sitekit.article: a page's Markdown cut into cells, written as a script and as a notebook;
sitekit.provenance and sitekit.corrections on small inputs."""

from __future__ import annotations

import ast

import nbformat
from bs4 import BeautifulSoup

from sitekit import article, corrections, provenance

PAGE = '''# Title (标题)

Intro with a [link](other.md#part) and $x^2$.

```python title="first"
import math
print(math.pi > 3)
```

![A plot](figure:snippets.normalization.batch_norm:running_mean_figure)

!!! correction "What the notes say"
    The notes are wrong.

    ```python title="evidence"
    print("evidence")
    ```

    Still inside the box.

## Second

```{.python .norun title="not here"}
raise SystemExit
```

```bash
make test
```

=== "Tab A"

    ```python
    x = 1
    ```
'''


def kinds(cells):
    return [c.kind for c in cells]


class TestCells:
    def test_order_and_kinds(self):
        """Prose, code, figure, norun and code in admonitions and tabs come out in page order."""
        cells = article.cells(PAGE, "topic/page.md", "https://example.org/")
        assert kinds(cells) == ["markdown", "code", "markdown", "figure", "markdown", "code", "markdown",
                                "norun", "markdown", "code"]
        assert [c.source for c in cells if c.kind == "code"] == [
            "import math\nprint(math.pi > 3)\n", 'print("evidence")\n', "x = 1\n"]

    def test_admonition_becomes_a_block_quote(self):
        """A correction box becomes a quoted, titled block; its text after the code stays quoted and dedented."""
        cells = article.cells(PAGE, "topic/page.md", "")
        quoted = [c.source for c in cells if c.kind == "markdown" and c.source.startswith(">")]
        assert quoted[0].startswith("> **Correction: What the notes say**")
        assert "> The notes are wrong." in quoted[0]
        assert any("> Still inside the box." in q for q in quoted)

    def test_links_become_absolute_site_links(self):
        """A relative link to another page points at that page on the site."""
        first = article.cells(PAGE, "topic/page.md", "https://example.org/")[0].source
        assert "[link](https://example.org/topic/other/#part)" in first
        assert "$x^2$" in first

    def test_figure_cell_draws_the_figure(self):
        """A figure reference becomes code that imports and calls the figure function."""
        figure = next(c for c in article.cells(PAGE) if c.kind == "figure")
        assert figure.ref == "snippets.normalization.batch_norm:running_mean_figure"
        assert "fig = running_mean_figure()" in figure.source

    def test_script_is_valid_python_with_futures_first(self):
        """The script parses; a __future__ import inside a later block moves to the top."""
        cells = article.cells(PAGE.replace("import math", "from __future__ import annotations\nimport math"))
        script = article.to_script(cells, "header")
        tree = ast.parse(script)
        assert isinstance(tree.body[0], ast.ImportFrom) and tree.body[0].module == "__future__"
        assert "# raise SystemExit" in script  # norun code is commented out
        assert article.MAIN_GUARD in script  # worker processes re-importing the file run nothing

    def test_notebook_is_valid_and_carries_outputs(self):
        """The notebook validates; block cells carry their recorded stdout and are tagged."""
        cells = article.cells(PAGE)
        article.runnable(cells)[0].outputs = [{"output_type": "stream", "name": "stdout", "text": "True\n"}]
        nb = nbformat.from_dict(article.to_notebook(cells, "header"))
        nbformat.validate(nb)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert code[0].outputs[0]["text"] == "True\n" and code[0].metadata["rn"] == {"block": True}
        assert code[1].metadata["rn"] == {"figure": "snippets.normalization.batch_norm:running_mean_figure"}


class TestProvenance:
    def test_includes(self):
        """Include lines give module path and section."""
        text = '--8<-- "snippets/a/b.py:sec"\n--8<-- "snippets/a/examples/c_page.py"\n'
        assert provenance.includes(text) == [provenance.Include("snippets/a/b.py", "sec"),
                                             provenance.Include("snippets/a/examples/c_page.py", None)]

    def test_missing_test_file(self):
        """A module without its mirrored test file reports none."""
        assert provenance.test_path("snippets/nowhere/nothing.py") is None

    def test_environment(self):
        """The environment names the snippets version, commit and library versions."""
        env = provenance.environment()
        assert set(env) == {"snippets", "commit", "python", "torch", "numpy"}


class TestCorrections:
    def test_anchor_and_evidence(self):
        """A correction box gets an anchor; the Python block directly after it is its evidence."""
        html = ('<div class="admonition correction"><p class="admonition-title">Notes say X</p><p>Y.</p></div>'
                '<div class="language-python highlight"><span class="filename">proof</span><pre><code>print(1)'
                '</code></pre></div><!--rn-output:0-->')
        soup = BeautifulSoup(html, "html.parser")
        (found,) = corrections.collect(soup, "a.md", "A", "a/")
        assert soup.find(id="correction-notes-say-x") is not None
        assert found.evidence == [("proof", 0)]
        rendered = corrections.render([found], {"a.md": ["1\n"]}, lambda url: "../" + url)
        assert 'href="../a/#correction-notes-say-x"' in rendered and "1\n" in rendered

    def test_source_titles(self):
        """Titles are read from the Markdown source, with or without a title."""
        assert corrections.source_titles('!!! correction "T1"\n    x\n\n??? correction\n    y\n') == [
            "T1", "Correction"]
