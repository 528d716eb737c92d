"""References to the design document resolve: every `DESIGN.md §N` names a section of `docs/DESIGN.md`, and every
link to one of its headings names an existing anchor."""

import os
import re
from pathlib import Path


ROOT = Path(__file__).resolve().parents[1]
DESIGN = ROOT / "docs" / "DESIGN.md"
TEXT_SUFFIXES = {".py", ".md", ".yaml", ".yml", ".sh", ".jinja", ".toml", ".txt", ".cfg"}
SKIPPED_DIRS = {".git", ".venv", "venv", "outputs", "build", "dist", "__pycache__", ".pytest_cache", ".ruff_cache"}
SECTION_REFERENCE = re.compile(r"DESIGN\.md`?\s*(§\s*[\d.]*\d(?:\s*(?:,|and|or)\s*§\s*[\d.]*\d)*)")
BARE_REFERENCE = re.compile(r"\bDESIGN\s*§")
ANCHOR_LINK = re.compile(r"DESIGN\.md#([\w-]+)|\]\(#([\w-]+)\)")


def repository_texts() -> dict[Path, str]:
    texts = {}
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS and not d.endswith(".egg-info")]
        for name in files:
            path = Path(folder) / name
            if path.suffix in TEXT_SUFFIXES or path.parent.name == ".ci":
                texts[path.relative_to(ROOT)] = path.read_text(encoding="utf-8", errors="replace")
    return texts


def design_headings() -> list[str]:
    return re.findall(r"^#{2,3} (.+)$", DESIGN.read_text(encoding="utf-8"), flags=re.M)


def design_sections() -> set[str]:
    """Section numbers of `docs/DESIGN.md`: "4" for `## 4. Title`, "6.3" for `### 6.3 Title`."""
    return {m[1] for heading in design_headings() if (m := re.match(r"(\d+(?:\.\d+)*)\.?\s", heading))}


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_design_sections_are_numbered():
    headings = design_headings()
    assert headings and all(re.match(r"\d+(\.\d+)*\.?\s", h) for h in headings), headings


def test_every_design_reference_names_a_section():
    sections = design_sections()
    broken = []
    for path, text in repository_texts().items():
        for match in SECTION_REFERENCE.finditer(text):
            for number in re.findall(r"§\s*([\d.]*\d)", match[1]):
                if number not in sections:
                    broken.append(f"{path}: {match[0]!r} (§{number} is not a section of docs/DESIGN.md)")
        for match in BARE_REFERENCE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            broken.append(f"{path}:{line}: {match[0]!r} names no file; write `docs/DESIGN.md §N`")
    assert not broken, "\n".join(broken)


def test_links_to_design_headings_resolve():
    anchors = {github_anchor(h) for h in design_headings()}
    broken = []
    for path, text in repository_texts().items():
        for match in ANCHOR_LINK.finditer(text):
            if match[2] is not None and path != Path("docs/DESIGN.md"):
                continue  # an in-page link of another document
            anchor = match[1] or match[2]
            if anchor not in anchors:
                broken.append(f"{path}: #{anchor}")
    assert not broken, "\n".join(broken)
