"""Memoised syntax highlighting gives the HTML Pygments gives (sitekit.highlight_cache)."""

from __future__ import annotations

import markdown

from sitekit import highlight_cache

PAGE = '''Some `#!python inline(code)` here.

```python title="a block"
def f(x: int) -> int:
    return x + 1  # comment
```

```python hl_lines="2"
import torch
print(torch.zeros(2))
```
'''
EXTENSIONS = ["pymdownx.highlight", "pymdownx.superfences", "pymdownx.inlinehilite"]
CONFIG = {"pymdownx.highlight": {"pygments_lang_class": True}}


def render() -> str:
    return markdown.markdown(PAGE, extensions=EXTENSIONS, extension_configs=CONFIG)


def test_second_build_reuses_the_stored_html(tmp_path):
    plain = render()  # before install (or as a stored miss): what Pygments makes
    highlight_cache.install(tmp_path / "highlight.json")
    highlight_cache.load()
    first = render()
    assert highlight_cache.save() == {"hits": 0, "misses": 2}  # two blocks; the inline code is not stored
    highlight_cache.load()
    second = render()
    assert highlight_cache.save() == {"hits": 2, "misses": 0}
    assert plain == first == second
    assert 'class="language-python highlight"' in second and "hll" in second


def test_a_changed_block_is_highlighted_again(tmp_path):
    highlight_cache.install(tmp_path / "highlight.json")
    highlight_cache.load()
    render()
    highlight_cache.save()
    highlight_cache.load()
    changed = markdown.markdown(PAGE.replace("x + 1", "x + 2"), extensions=EXTENSIONS, extension_configs=CONFIG)
    assert highlight_cache.save() == {"hits": 1, "misses": 1}
    assert "2</span>" in changed


def test_settings_are_part_of_the_key(tmp_path):
    highlight_cache.install(tmp_path / "highlight.json")
    highlight_cache.load()
    render()
    highlight_cache.save()
    highlight_cache.load()
    numbered = markdown.markdown(PAGE, extensions=EXTENSIONS,
                                 extension_configs={"pymdownx.highlight": {"pygments_lang_class": True,
                                                                           "linenums": True}})
    assert highlight_cache.save()["hits"] == 0
    assert "linenos" in numbered
