"""The project's documents stand alone: every file they name is in the repository, and the
connector's contract summary covers every path the served OpenAPI document has."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = sorted([ROOT / "README.md", *ROOT.glob("docs/*.md"), *ROOT.glob("bench/*.md")])
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
MARKDOWN_NAME = re.compile(r"(?<![\w/.-])([\w./-]+\.md)\b")


def tracked_files() -> set[str]:
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.split()
    return set(listed)


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_named_file_is_in_the_repository(document):
    files = tracked_files()
    names = {Path(f).name for f in files}
    text = document.read_text(encoding="utf-8")
    missing = []
    for target in LINK.findall(text):
        if "://" in target or target.startswith("mailto:"):
            continue
        resolved = (document.parent / target).resolve()
        if not resolved.exists():
            missing.append(target)
    for name in MARKDOWN_NAME.findall(text):
        if Path(name).name not in names:
            missing.append(name)
    missing = [name for name in missing if not generated(name)]
    assert not missing, f"{document.name} names files that are not in the repository: {sorted(set(missing))}"


def generated(name: str) -> bool:
    """An output the project writes and git ignores (``bench/last-run.md``): named, never committed."""
    return subprocess.run(["git", "check-ignore", "-q", "--no-index", name], cwd=ROOT).returncode == 0


def test_the_contract_summary_covers_every_path():
    from connector.app import create_app, dispose
    from connector.config import Config

    app = create_app(Config(api_token="t", database_url="sqlite://"))
    try:
        spec = app.test_client().get("/api/v1/openapi.json", headers={"Authorization": "Bearer t"}).get_json()
    finally:
        dispose(app)
    summary = (ROOT / "docs/connector.md").read_text(encoding="utf-8").split("## The contract", 1)[1]
    summary = summary.split("\n## ", 1)[0]
    named = set(re.findall(r"`(/api/v1/[\w/-]+)", summary))
    uncovered = [path for path in spec["paths"] if not any(path == n or path.startswith(n + "/") for n in named)]
    assert not uncovered, f"docs/connector.md's contract summary does not name: {uncovered}"
