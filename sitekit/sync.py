"""Keep the Chinese edition in step: each ``docs-zh/<page>.md`` records in its front matter the
git blob id of the English page it translates (``translated_from: <sha1>``). ``check`` fails
when an English page has no translation or changed since, printing the English diff since the
recorded revision (``git cat-file``); ``record`` writes the current id.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import subprocess
from pathlib import Path

FRONT_RE = re.compile(r"\A---\n(?P<body>.*?)\n---\n", re.S)
KEY_RE = re.compile(r"^translated_from:\s*(?P<blob>\S*)\s*$", re.M)


def blob_id(path: Path) -> str:
    """The id git gives the file's content (``git hash-object``)."""
    data = path.read_bytes()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def recorded(page: Path) -> str | None:
    """The English revision a translation records, if any."""
    front = FRONT_RE.match(page.read_text(encoding="utf-8"))
    match = KEY_RE.search(front["body"]) if front else None
    return match["blob"] if match else None


def check(english: Path, chinese: Path, repo: Path) -> list[str]:
    """Problems, one message per page (empty when every translation is current)."""
    problems = []
    for page in sorted(p for p in english.rglob("*.md") if "assets" not in p.relative_to(english).parts):
        relative = page.relative_to(english)
        translation = chinese / relative
        if not translation.is_file():
            problems.append(f"{relative}: no Chinese translation at {translation.relative_to(repo)}")
            continue
        blob, current = recorded(translation), blob_id(page)
        if blob == current:
            continue
        done = subprocess.run(["git", "cat-file", "-p", blob or "-"], cwd=repo, capture_output=True, text=True)
        old = done.stdout if blob and done.returncode == 0 else None
        if old is None:
            problems.append(f"{relative}: {translation.relative_to(repo)} records no known English revision "
                            f"({blob or 'no translated_from'}); translate the page, then record it")
            continue
        diff = "".join(difflib.unified_diff(old.splitlines(keepends=True), page.read_text(encoding="utf-8")
                                            .splitlines(keepends=True), f"{relative} (translated)",
                                            f"{relative} (now)"))
        problems.append(f"{relative}: the English page changed since it was translated; update "
                        f"{translation.relative_to(repo)}, then `python -m sitekit sync --record "
                        f"{translation.relative_to(repo)}`\n{diff}")
    return problems


def record(translation: Path, english: Path) -> None:
    """Write ``translated_from`` with the English page's current id into the translation."""
    text, blob = translation.read_text(encoding="utf-8"), blob_id(english)
    front = FRONT_RE.match(text)
    if front is None:
        text = f"---\ntranslated_from: {blob}\n---\n\n{text}"
    elif KEY_RE.search(front["body"]):
        text = text[:front.start("body")] + KEY_RE.sub(f"translated_from: {blob}", front["body"]) + text[front.end("body"):]
    else:
        text = text[:front.end("body")] + f"\ntranslated_from: {blob}" + text[front.end("body"):]
    translation.write_text(text, encoding="utf-8")
