"""Files written atomically get the permissions a plain write would give them.

``tempfile.mkstemp`` creates its files with mode 0o600; moved into place unchanged, a report
or workbook would be unreadable to the user's group and to a web server serving the directory.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from llmcost.export.output import write_all


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_new_file_follows_the_umask(tmp_path: Path, umask: int) -> None:
    old = os.umask(umask)
    try:
        (target,) = write_all([(tmp_path / "out.html", lambda p: p.write_text("x"))])
    finally:
        os.umask(old)
    # 0o666 & ~0o022 = 0o644, & ~0o077 = 0o600, & ~0o002 = 0o664 (what open(…, "w") gives)
    assert _mode(target) == 0o666 & ~umask


def test_replaced_file_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "book.csv"
    target.write_text("old")
    target.chmod(0o640)
    write_all([(target, lambda p: p.write_text("new"))])
    assert target.read_text() == "new"
    assert _mode(target) == 0o640
