"""Where evidence files are kept: ``settings.EVIDENCE_ROOT``, outside the web root.

A file is stored as ``<first two hex digits of its SHA-256>/<SHA-256>-<random>``: the server
picks every part of the path, so no uploaded name can point anywhere else, and two uploads of
the same content are two files (removing one leaves the other)."""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

from django.conf import settings


def root() -> Path:
    return Path(settings.EVIDENCE_ROOT)


def new_key(sha256: str) -> str:
    return f"{sha256[:2]}/{sha256}-{secrets.token_hex(8)}"


def path_of(key: str) -> Path:
    """The file stored as ``key``; ValueError for a key that would lead outside the root."""
    base = root().resolve()
    path = (base / key).resolve()
    if base not in path.parents:
        raise ValueError(f"evidence key {key!r} is outside {base}")
    return path


def write(key: str, content: bytes) -> Path:
    """Store ``content`` as ``key``: written to a temporary file beside it, then renamed, so a
    file is either all there or not there."""
    path = path_of(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".upload-", delete=False) as part:
        try:
            part.write(content)
            part.flush()
            os.fsync(part.fileno())
        except BaseException:
            Path(part.name).unlink(missing_ok=True)
            raise
    os.chmod(part.name, 0o640)
    os.replace(part.name, path)
    return path


def delete(key: str) -> None:
    path_of(key).unlink(missing_ok=True)
