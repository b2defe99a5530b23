"""Corrections of the seed notes: anchored on their page, collected on one page.

Every ``!!! correction "Title"`` admonition of every page gets a stable anchor
``correction-<slug of title>``; the page ``corrections.md`` (which holds the
marker ``<!-- rn:corrections -->``) receives, grouped by article in nav order,
each correction's title linked to that anchor, its text, and its evidence: the
output of the Python block inside the admonition or, when the admonition is
directly followed by a Python block, of that block.
"""

from __future__ import annotations

import html as html_lib
import posixpath
import re
from dataclasses import dataclass, field

from bs4 import BeautifulSoup, Comment, Tag

from sitekit.blocks import is_norun, python_block_tags

MARKER = "<!-- rn:corrections -->"
SOURCE_RE = re.compile(r'^[ \t]*(?:!!!|\?\?\?\+?)\s+correction\b(?:[^"\n]*"(?P<title>[^"]*)")?', re.MULTILINE)
PLACEHOLDER_RE = re.compile(r"rn-output:(\d+)")


@dataclass
class Correction:
    page_src: str
    page_title: str
    page_url: str
    title: str
    anchor: str
    body_html: str  # may hold <!--rn-output:N--> placeholders of the source page
    evidence: list[tuple[str, int]] = field(default_factory=list)  # (block title, output index)


def source_titles(markdown: str) -> list[str]:
    """Titles of the ``!!! correction`` admonitions written in a page's Markdown."""
    return [m["title"] or "Correction" for m in SOURCE_RE.finditer(markdown)]


def slug(text: str) -> str:
    text = re.sub(r"[^\w\s-]", "", text.lower(), flags=re.UNICODE)
    return re.sub(r"[\s_-]+", "-", text).strip("-") or "correction"


def _block_title(tag: Tag) -> str:
    span = tag.find(class_="filename")
    return span.get_text(strip=True) if span else "the code block"


def _placeholder(tag: Tag) -> int | None:
    sibling = tag.next_sibling
    while sibling is not None and isinstance(sibling, str) and not isinstance(sibling, Comment):
        sibling = sibling.next_sibling
    if isinstance(sibling, Comment):
        match = PLACEHOLDER_RE.fullmatch(sibling.strip())
        if match:
            return int(match[1])
    return None


def collect(soup: BeautifulSoup, page_src: str, page_title: str, page_url: str) -> list[Correction]:
    """Give every correction admonition of ``soup`` an anchor (in place) and return them."""
    found: list[Correction] = []
    boxes = soup.find_all(lambda tag: tag.name in ("div", "details") and "correction" in tag.get("class", ())
                          and (tag.name == "details" or "admonition" in tag.get("class", ())))
    if not boxes:
        return found
    used: set[str] = {tag["id"] for tag in soup.find_all(id=True)}
    blocks = python_block_tags(soup)
    for box in boxes:
        title_tag = box.find(class_="admonition-title") or box.find("summary")
        title = title_tag.get_text(" ", strip=True) if title_tag else "Correction"
        anchor = base = "correction-" + slug(title)
        n = 2
        while anchor in used:
            anchor, n = f"{base}-{n}", n + 1
        used.add(anchor)
        box["id"] = anchor
        body = BeautifulSoup(str(box), "html.parser").find(class_=box.get("class", []))
        if body.get("id"):
            del body["id"]
        evidence: list[tuple[str, int]] = []
        for tag in python_block_tags(body):
            index = None if is_norun(tag) else _placeholder(tag)
            if index is not None:
                evidence.append((_block_title(tag), index))
                nxt = tag.next_sibling
                if isinstance(nxt, Comment):
                    nxt.extract()
            tag.replace_with(BeautifulSoup(
                f'<p class="rn-evidence-code">Code: <em>{html_lib.escape(_block_title(tag))}</em> '
                f"(on the page)</p>", "html.parser"))
        follower = box.find_next_sibling()
        if follower is not None and any(follower is t for t in blocks) and not is_norun(follower):
            index = _placeholder(follower)
            if index is not None:
                evidence.append((_block_title(follower), index))
        _site_links(body, page_url)
        inner = "".join(str(child) for child in body.children
                        if not (isinstance(child, Tag) and ({"admonition-title"} & set(child.get("class", []))
                                                           or child.name == "summary")))
        found.append(Correction(page_src, page_title, page_url, title, anchor, inner, evidence))
    return found


SITE_LINK = "rn-site:"


def _site_links(body: Tag, page_url: str) -> None:
    """Rewrite the body's relative links (written for its page) as site paths, re-relativised by ``render``."""
    for tag, attr in [(a, "href") for a in body.find_all("a", href=True)] + \
                     [(i, "src") for i in body.find_all("img", src=True)]:
        value = tag[attr]
        if re.match(r"^([a-z][a-z0-9+.-]*:|/|data:)", value, re.I):
            continue
        path, _, fragment = value.partition("#")
        target = posixpath.normpath(posixpath.join(page_url, path)) if path else page_url.rstrip("/")
        if target in (".", ""):
            target = ""
        elif path.endswith("/") or not path:
            target += "/"
        tag[attr] = SITE_LINK + target + (f"#{fragment}" if fragment else "")


def render(corrections: list[Correction], outputs: dict[str, list[str]], relative) -> str:
    """HTML of the collected corrections. ``outputs[page_src][i]`` is block i's printed text;
    ``relative(url)`` makes a site URL relative to the corrections page."""
    if not corrections:
        return '<p class="rn-corrections-empty">No article corrects the notes yet.</p>'
    parts = [f'<p class="rn-corrections-count">{len(corrections)} correction'
             f'{"s" if len(corrections) != 1 else ""} in '
             f'{len({c.page_src for c in corrections})} article'
             f'{"s" if len({c.page_src for c in corrections}) != 1 else ""}.</p>']
    current = None
    for c in corrections:
        if c.page_src != current:
            if current is not None:
                parts.append("</ol>")
            current = c.page_src
            parts.append(f'<h2 class="rn-corrections-page"><a href="{relative(c.page_url)}">'
                         f"{html_lib.escape(c.page_title)}</a></h2><ol class=\"rn-corrections-list\">")
        page_outputs = outputs.get(c.page_src, [])

        def fill(match: re.Match, page_outputs=page_outputs) -> str:
            index = int(match[1])
            text = page_outputs[index] if index < len(page_outputs) else ""
            return _output(text) if text else ""

        body = re.sub(r"<!--rn-output:(\d+)-->", fill, c.body_html)
        body = re.sub(re.escape(SITE_LINK) + r'([^"#]*)', lambda m: relative(m[1] or "."), body)
        evidence = "".join(
            f'<p class="rn-evidence-title">Evidence — what <em>{html_lib.escape(title)}</em> printed:</p>'
            + _output(page_outputs[index])
            for title, index in c.evidence if index < len(page_outputs) and page_outputs[index]
        )
        parts.append(
            f'<li class="rn-correction-entry"><div class="admonition correction">'
            f'<p class="admonition-title"><a href="{relative(c.page_url)}#{c.anchor}">'
            f"{html_lib.escape(c.title)}</a></p>{body}{evidence}</div></li>")
    parts.append("</ol>")
    return "\n".join(parts)


def _output(text: str) -> str:
    return f'<div class="rn-output"><pre><code>{html_lib.escape(text)}</code></pre></div>'
