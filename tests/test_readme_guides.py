"""The README's guides line names every guide that exists, and each names a file that exists."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _intro_links() -> set[str]:
    readme = (ROOT / "README.md").read_text("utf-8")
    intro = readme.split("## Quick start", 1)[0]
    return set(re.findall(r"\]\((docs/[^)]+\.md)\)", intro))


def test_every_document_in_docs_is_listed_in_the_readme() -> None:
    documents = {f"docs/{p.name}" for p in (ROOT / "docs").glob("*.md")}

    assert documents - _intro_links() == set()


def test_every_listed_guide_exists_in_vietnamese_and_english() -> None:
    for link in _intro_links():
        assert (ROOT / link).is_file(), link
    for guide in (ROOT / "docs").glob("*-guide.vi.md"):
        assert guide.with_name(guide.name.replace(".vi.md", ".en.md")).is_file()
