"""Full-page screenshots of the key steps of a journey, kept as CI artifacts.

They go to the folder named by ``MNR_ARTIFACTS``; without it, to ``<repo>/artifacts/screenshots``
when ``CI`` is set and otherwise to a temporary folder of the pytest session. Files are named
``<role>-<NN>-<step>.png``, numbered in the order the journey takes them."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
UNSTICK = """() => {
  for (const element of document.querySelectorAll("body *")) {
    const position = getComputedStyle(element).position;
    if (position === "sticky" || position === "fixed") {
      element.dataset.shotPosition = element.style.position;
      element.style.position = "static";
    }
  }
}"""
RESTICK = """() => {
  for (const element of document.querySelectorAll("[data-shot-position]")) {
    element.style.position = element.dataset.shotPosition;
    delete element.dataset.shotPosition;
  }
}"""


def artifacts_folder(temporary: Path) -> Path:
    """Where this session's screenshots go (``temporary`` if neither variable is set)."""
    configured = os.environ.get("MNR_ARTIFACTS")
    if configured:
        return Path(configured).resolve()
    if os.environ.get("CI"):
        return REPO / "artifacts" / "screenshots"
    return temporary


class Screenshots:
    """The screenshots of one role's journey: ``shoot(page, "submitted")`` saves
    ``<role>-01-submitted.png``, the next call ``<role>-02-….png``."""

    def __init__(self, folder: Path, role: str) -> None:
        self.folder = folder
        self.role = role
        self.taken: list[Path] = []

    def __call__(self, page: Any, step: str) -> Path:
        slug = re.sub(r"[^a-z0-9]+", "-", step.lower()).strip("-")
        path = self.folder / f"{self.role}-{len(self.taken) + 1:02d}-{slug}.png"
        self.folder.mkdir(parents=True, exist_ok=True)
        # Charts and web fonts finish after the load event; wait until the page is quiet.
        page.wait_for_load_state("networkidle")
        # A sticky or fixed bar (the answer page's save bar) would be painted over the content
        # where the window's bottom was: in its own place for the picture, then back.
        page.evaluate(UNSTICK)
        try:
            page.screenshot(path=str(path), full_page=True)
        finally:
            page.evaluate(RESTICK)
        self.taken.append(path)
        return path
