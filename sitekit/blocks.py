"""Python blocks of a built page, exactly as a reader sees them.

Blocks are found in the HTML that MkDocs produced (after ``pymdownx.snippets``
expanded every include), so a test runs what the page shows, not the raw
``--8<--`` line of the Markdown source.

A block is Python when its highlight wrapper carries ``language-python``
(``pygments_lang_class: true``). A block marked ``.norun`` in the Markdown
(```` ```{.python .norun} ````) is shown but neither built nor tested; every such
block is counted and reported.
"""

from __future__ import annotations

from dataclasses import dataclass

from bs4 import BeautifulSoup, Tag

NORUN = "norun"
OUTPUT_CLASS = "rn-output"


@dataclass(frozen=True)
class Block:
    """One Python block: its code, whether it runs, and the output shown under it."""

    code: str
    runs: bool
    shown_output: str | None


def python_block_tags(soup: BeautifulSoup) -> list[Tag]:
    """The highlight wrappers of Python blocks, in document order."""
    return [
        tag
        for tag in soup.find_all("div", class_="highlight")
        if "language-python" in tag.get("class", []) or "language-py" in tag.get("class", [])
    ]


def block_code(tag: Tag) -> str:
    """The text of a block's ``<code>`` element (what the copy button copies)."""
    code = tag.find("code")
    text = code.get_text() if code is not None else tag.get_text()
    return text if text.endswith("\n") else text + "\n"


def is_norun(tag: Tag) -> bool:
    return NORUN in tag.get("class", [])


def shown_output(tag: Tag) -> str | None:
    sibling = tag.find_next_sibling()
    if sibling is not None and OUTPUT_CLASS in sibling.get("class", []):
        code = sibling.find("code")
        return code.get_text() if code is not None else sibling.get_text()
    return None


def extract_blocks(html: str) -> list[Block]:
    """Every Python block of ``html`` in order, with the output rendered under it."""
    soup = BeautifulSoup(html, "html.parser")
    return [Block(block_code(tag), not is_norun(tag), shown_output(tag)) for tag in python_block_tags(soup)]
