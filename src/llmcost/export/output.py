"""Safe output.

Every file a command writes goes through :func:`check_target` and :func:`write_all`.

Rules (issue #19): the format follows the suffix and an unknown suffix is refused; an input
file is never a target; an existing file is replaced only with ``force``; a target must be a
regular file in an existing directory; every file is written to a temporary file in its own
directory and moved into place with :func:`os.replace` only after *all* of a command's files
were written, so a failure leaves the directory exactly as it was.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from .._core.display import plain
from .._core.errors import InvalidInputError

__all__ = ["check_comparison", "check_target", "write_all"]


def check_comparison(value: Any, also: tuple[type, ...] = ()) -> None:
    """Raise unless ``value`` is a :class:`~llmcost.scenario.Comparison` (or one of ``also``)."""
    from ..scenario.comparison import Comparison

    if not isinstance(value, (Comparison, *also)):
        raise InvalidInputError(
            "comparison must be the result of llmcost.compare(scenario); got "
            f"{type(value).__name__}"
        )


def check_target(
    path: str | Path,
    flag: str,
    suffixes: Sequence[str],
    *,
    inputs: Iterable[str | Path] = (),
    force: bool = False,
) -> Path:
    """``path`` as an output target of ``flag``, or :class:`InvalidInputError` saying why not.

    ``suffixes``: the allowed endings (lowercase, with the dot); ``inputs``: files the command
    reads, which are never overwritten; ``force``: replace an existing regular file.
    """
    if not isinstance(path, str | Path) or not str(path):
        raise InvalidInputError(f"{flag} must be a file path; got {plain(path)}")
    out = Path(path)
    shown = plain(str(out))
    try:
        return _checked(out, flag, shown, suffixes, inputs, force, str(path))
    except OSError as exc:  # a name too long, a loop of links…: say so, naming the flag
        raise InvalidInputError(f"{flag} {shown}: {exc.strerror or exc}") from None


def _checked(
    out: Path,
    flag: str,
    shown: str,
    suffixes: Sequence[str],
    inputs: Iterable[str | Path],
    force: bool,
    given: str,
) -> Path:
    """The checks of :func:`check_target` (any ``OSError`` is the caller's to report)."""
    if given.endswith(("/", os.sep)) or out.is_dir():
        raise InvalidInputError(f"{flag} {shown}: is a directory; give a file name")
    if not out.parent.is_dir():
        raise InvalidInputError(f"{flag}: directory {str(out.parent)!r} does not exist")
    if out.suffix.lower() not in suffixes:
        raise InvalidInputError(
            f"{flag}: expected a file ending in {' or '.join(suffixes)}; got {shown}"
        )
    for src in inputs:
        if Path(src).exists() and out.exists() and os.path.samefile(src, out):
            raise InvalidInputError(f"{flag} {shown}: is an input file of this command")
    if out.exists():
        if not out.is_file():
            raise InvalidInputError(f"{flag} {shown}: exists and is not a regular file")
        if not force:
            raise InvalidInputError(f"{flag} {shown}: exists; pass --force to replace it")
    return out


def _mode_for(target: Path) -> int:
    """Return the permission bits a plain ``open(target, "w")`` would give.

    That is the replaced file's mode, else 0o666 less the process umask (``mkstemp`` makes its
    files 0o600, private to the owner).
    """
    if target.exists():
        return target.stat().st_mode & 0o7777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_all(jobs: Sequence[tuple[Path, Callable[[Path], Any]]]) -> list[Path]:
    """Run each ``write(temp_path)`` into a temporary file beside its target.

    Then move all of them into place; if any write fails, remove every temporary file and re-raise
    (an ``OSError`` as :class:`InvalidInputError` naming the target).
    """
    temps: list[tuple[Path, Path]] = []
    try:
        for target, write in jobs:
            fd, name = tempfile.mkstemp(
                prefix=f".{target.stem[:100]}.", suffix=f".tmp{target.suffix}", dir=target.parent
            )
            os.close(fd)
            temp = Path(name)
            temps.append((temp, target))
            try:
                write(temp)
            except OSError as exc:
                raise InvalidInputError(
                    f"cannot write {str(target)!r}: {exc.strerror or exc}"
                ) from None
        for temp, target in temps:
            os.chmod(temp, _mode_for(target))
            os.replace(temp, target)
    finally:
        for temp, _ in temps:
            temp.unlink(missing_ok=True)
    return [target for target, _ in jobs]
