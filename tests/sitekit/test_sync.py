"""The Chinese edition stays in step: every English page has a translation that records the
English revision it translates; an edited English page fails the check with its diff."""

from __future__ import annotations

import subprocess

import pytest

from sitekit import sync
from tests._site import DOCS, ROOT

CHINESE = ROOT / "docs-zh"


def test_every_page_is_translated_from_the_current_english_page():
    """`python -m sitekit sync` passes on the repository (its message shows what to update)."""
    problems = sync.check(DOCS, CHINESE, ROOT)
    assert not problems, "\n\n".join(problems)


@pytest.fixture
def repo(tmp_path):
    """A git repository with one English page and its recorded translation."""
    def git(*args):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    (tmp_path / "docs").mkdir()
    (tmp_path / "docs-zh").mkdir()
    (tmp_path / "docs" / "page.md").write_text("# Title\n\nOne sentence.\n", encoding="utf-8")
    (tmp_path / "docs-zh" / "page.md").write_text("# 标题\n\n一句话。\n", encoding="utf-8")
    sync.record(tmp_path / "docs-zh" / "page.md", tmp_path / "docs" / "page.md")
    git("init", "-q")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "pages")
    return tmp_path


def test_an_edited_english_page_fails_with_its_diff_and_passes_once_recorded(repo):
    english, chinese = repo / "docs" / "page.md", repo / "docs-zh" / "page.md"
    assert sync.check(repo / "docs", repo / "docs-zh", repo) == []
    english.write_text("# Title\n\nOne sentence, edited.\n", encoding="utf-8")
    (problem,) = sync.check(repo / "docs", repo / "docs-zh", repo)
    assert "changed since it was translated" in problem
    assert "-One sentence.\n+One sentence, edited." in problem
    sync.record(chinese, english)
    assert sync.check(repo / "docs", repo / "docs-zh", repo) == []
    assert chinese.read_text(encoding="utf-8").count("translated_from:") == 1


def test_a_missing_translation_fails(repo):
    (repo / "docs" / "new.md").write_text("# New\n", encoding="utf-8")
    (problem,) = sync.check(repo / "docs", repo / "docs-zh", repo)
    assert problem.startswith("new.md: no Chinese translation")
