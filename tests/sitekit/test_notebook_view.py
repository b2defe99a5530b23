"""Cleaning mkdocs-jupyter's HTML for the site (sitekit.notebook_view.clean)."""

from __future__ import annotations

from sitekit.notebook_view import clean

SITE = "http://127.0.0.1:8000/"
BIG = "x" * 100_001
HTML = f"""<style type="text/css">{BIG}</style><style>.small{{}}</style>
<div class="CodeMirror"><div class="zeroclipboard-container">
<clipboard-copy ,="" aria-label="Copy to Clipboard" for="cell-1">
<div><span class="notice" hidden="">Copied!</span><svg><path d="M0"></path></svg></div>
</clipboard-copy>
</div>
<div class="highlight-ipynb"><pre>print(1)</pre></div>
<div class="clipboard-copy-txt" id="cell-1">print(1 &lt; 2)</div>
</div>
<script src=""> </script><script src="https://cdn.example/x.js"></script>
<script type="text/x-mathjax-config">init_mathjax()</script>
<script>console.log("kept")</script>
<a href="{SITE}normalization/batch-norm/#x">page</a> <a href="https://pytorch.org/">elsewhere</a>
<a class="y" href="{SITE}">home</a>"""


def test_clean_drops_foreign_scripts_copies_and_the_big_stylesheet():
    out = clean(HTML, "notebooks/parallel/why-parallel/", SITE)
    assert BIG not in out and "<style>.small{}</style>" in out
    assert "clipboard" not in out and "Copied!" not in out
    assert '<div class="highlight-ipynb"><pre>print(1)</pre></div>' in out
    assert "cdn.example" not in out and "mathjax" not in out and 'src=""' not in out
    assert 'console.log("kept")' in out


def test_clean_makes_site_links_relative():
    out = clean(HTML, "notebooks/parallel/why-parallel/", SITE)
    assert '<a href="../../../normalization/batch-norm/#x">page</a>' in out
    assert '<a href="https://pytorch.org/">elsewhere</a>' in out
    assert '<a class="y" href="../../..">home</a>' in out


def test_clean_without_site_url_keeps_links():
    assert f'href="{SITE}normalization/batch-norm/#x"' in clean(HTML, "notebooks/a/", "")
