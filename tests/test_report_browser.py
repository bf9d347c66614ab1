"""The roadmap report opened in a real browser (headless Chromium via Playwright).

Run with ``make test-browser`` (installs Debian's chromium and the ``browser`` extra). Fails
on console errors, page errors, a missing section or a blank page; saves a full-page
screenshot next to the report.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from cnplan.cli import app

from .conftest import SITES

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.mark.parametrize("site", ["sunderland", "tochigi"])
def test_report_renders_in_chromium(site: str, tmp_path: Path) -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed: run 'make test-browser'")
    out = tmp_path / site
    result = CliRunner().invoke(app, ["plan", str(SITES / f"{site}.yaml"), "--out", str(out),
                                      "--resolution", "repdays:4", "--no-report"])
    assert result.exit_code == 0, result.output
    assert CliRunner().invoke(app, ["report", str(out), "--no-pdf"]).exit_code == 0
    errors: list[str] = []
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto((out / "report.html").as_uri())
        page.wait_for_load_state("load")
        shot = out / "report.png"
        page.screenshot(path=str(shot), full_page=True)
        heading = page.locator("h1").inner_text()
        summary = " ".join(page.locator("#summary").inner_text().split())
        images = page.eval_on_selector_all(
            "img", "els => els.map(e => e.complete && e.naturalWidth > 0)")
        browser.close()
    assert errors == []
    assert site.capitalize() in heading and "least cost" in heading
    # page 1 answers the board's first questions: what the roadmap adds over doing nothing
    assert "over business as usual" in summary and "per tonne avoided" in summary
    assert "cut in 2030 vs" in summary and "cut in 2050 vs" in summary
    assert "business as usual" in summary.split("investment", 1)[-1]  # the capex-by-year row
    assert images and all(images), "a figure did not load"
    import matplotlib.image as mpimg

    pixels = mpimg.imread(shot)[..., :3]
    non_white = float(np.mean(pixels.mean(axis=-1) < 0.95))
    assert non_white > 0.05, f"page looks blank ({non_white:.1%} non-white)"
    keep = Path("out") / "browser"
    keep.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, keep / f"{site}_report.png")
