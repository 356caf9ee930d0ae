"""Which server folders a visitor may open as a data directory (the sidebar's "Another data directory").

A public app must not become a way to list or read the server's files: a typed path is opened only when it is a
folder under an allowed root (the repository's data/, the upload area, and the folders an operator lists in
PP_ALLOWED_DIRS), and every other path gets the same refusal, whether it exists or not. PP_PUBLIC=1 removes the
field altogether. Streamlit Community Cloud passes root-level secrets to the app as environment variables, so
both can be set there as secrets too.
"""
from __future__ import annotations

import os
from pathlib import Path

from lib.data import upload

REPO_DATA = Path(__file__).resolve().parents[2] / "data"
ALLOWED_ENV = "PP_ALLOWED_DIRS"  # folders separated by os.pathsep (":" on Linux and macOS)
PUBLIC_ENV = "PP_PUBLIC"
REFUSAL = ("This app cannot open that folder. It opens folders under its own data/ folder and those its operator "
           f"allows ({ALLOWED_ENV}); to use your own files, upload them on the Data & methods page.")


def choosing_allowed() -> bool:
    """False when the operator has switched the field off (PP_PUBLIC=1, true or yes)."""
    return os.environ.get(PUBLIC_ENV, "").strip().lower() not in ("1", "true", "yes")


def allowed_roots() -> list[Path]:
    listed = [Path(p).expanduser() for p in os.environ.get(ALLOWED_ENV, "").split(os.pathsep) if p.strip()]
    return [root.resolve() for root in (REPO_DATA, *listed)]


def allowed_directory(text: str) -> tuple[Path | None, str | None]:
    """(the folder, None) when `text` names an existing folder under an allowed root or an upload folder, else
    (None, REFUSAL): one message for every other path, so the answer does not tell what exists."""
    if not choosing_allowed() or not text.strip() or "\0" in text:
        return None, REFUSAL
    try:
        path = Path(text.strip()).resolve()  # symbolic links and '..' followed before the check
    except (OSError, RuntimeError, ValueError):
        return None, REFUSAL
    inside = any(path == root or root in path.parents for root in allowed_roots())
    uploaded = any(upload.is_upload_folder(p) for p in (path, *path.parents))
    if not (inside or uploaded) or not path.is_dir():
        return None, REFUSAL
    return path, None


def shown_path(path: Path) -> str:
    """A data folder as a page names it: in a public deployment (PP_PUBLIC) no server path reaches a visitor, only
    the part under the app's folder, or the folder's own name."""
    if choosing_allowed():
        return str(path)
    resolved = Path(path).resolve()
    repo = REPO_DATA.parent
    return str(resolved.relative_to(repo)) if resolved.is_relative_to(repo) else resolved.name
