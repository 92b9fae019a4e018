"""End to end in a real headless browser: `streamlit run app.py` as a subprocess, Debian's
chromium driven by Playwright (its driver ships in the wheel; no browser download).

A reviewer signs in, accepts and rejects proposals, adds one by search, withholds a page;
counsel approves and releases; the released PDFs and the Vaughn index are then checked.
Set REDACTOR_UPDATE_SCREENSHOT=1 to refresh docs/reviewer.png from this run.
"""
from __future__ import annotations

import csv
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import date
from pathlib import Path
from typing import Iterator

import pymupdf
import pytest

from conftest import ROOT, SAMPLES

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout, sync_playwright
except ImportError:  # reported by the fixture: a failure on CI, a skip elsewhere
    sync_playwright = None
    PlaywrightTimeout = TimeoutError

from redactor.store import CaseStore, User

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DOCS = ["memo-coordination.pdf", "letter.pdf"]
SEARCHED = "Office of Field Operations"  # printed on pages 1 and 3 of the memo; nothing proposes it
TIMEOUT_MS = 90_000


def _need(condition: bool, why: str) -> None:
    """Missing browser pieces fail on CI (which installs them) and skip elsewhere."""
    if not condition:
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def case_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "case-2024-0117"
    store = CaseStore.create(folder, number="2024-FOIA-0117", requester="Jordan Public",
                             received=date(2024, 3, 1), record_context="law_enforcement")
    results = store.add_documents([SAMPLES / name for name in DOCS], User("Loader", "staff"))
    assert all(r.ok for r in results), results
    return folder


@pytest.fixture
def app_url(case_dir: Path, tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    log = (tmp_path / "streamlit.log").open("w")
    env = {**os.environ, "REDACTOR_CASE": str(case_dir)}
    env.pop("REDACTOR_DB_URL", None)
    env.pop("REDACTOR_IDENTITY", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
         "--browser.gatherUsageStats", "false", "--server.port", str(port), "--server.address", "127.0.0.1",
         "--server.fileWatcherType", "none"],
        cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start:\n{(tmp_path / 'streamlit.log').read_text()}")
            time.sleep(0.3)
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


@pytest.fixture
def browser_page():
    _need(CHROMIUM.exists(), f"{CHROMIUM} is missing (Debian package chromium: scripts/system-deps.sh)")
    _need(sync_playwright is not None, "playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1200})
            page.set_default_timeout(TIMEOUT_MS)
            yield page
        finally:
            browser.close()


# ---------------------------------------------------------------- how a person works the page
def wait_idle(page) -> None:
    """Streamlit shows its status widget while a run is going; wait until it is done. On a
    loaded machine the run may start late: give it a moment to show before waiting it out."""
    status = page.locator('[data-testid="stStatusWidget"]')
    try:
        status.wait_for(state="attached", timeout=1500)
    except PlaywrightTimeout:
        pass  # the run was over (or never needed) before we looked
    status.wait_for(state="detached", timeout=TIMEOUT_MS)


def click(page, key: str) -> None:
    page.locator(f".st-key-{key} button").click()
    wait_idle(page)


def expect_text(page, text: str) -> None:
    page.get_by_text(text, exact=False).first.wait_for(state="visible", timeout=TIMEOUT_MS)


def fill(page, key: str, value: str) -> None:
    field = page.locator(f".st-key-{key} input, .st-key-{key} textarea").first
    field.fill(value)
    # Streamlit commits a text input on Enter, a text area on blur
    field.press("Tab" if field.evaluate("e => e.tagName") == "TEXTAREA" else "Enter")
    wait_idle(page)
    assert field.input_value() == value


def choose(page, key: str, option_prefix: str) -> None:
    """Type into a selectbox or multiselect and click the option its label starts with
    (the option list is virtualised: an option far down is not in the page until filtered)."""
    box = page.locator(f".st-key-{key} [role='combobox']").first
    box.click()
    box.fill(option_prefix)
    page.get_by_role("option").filter(has_text=option_prefix).first.click()
    page.keyboard.press("Escape")
    box.evaluate("element => element.blur()")  # a multiselect sends its value when it loses focus
    wait_idle(page)


def sign_in(page, url: str, name: str, role: str) -> None:
    page.goto(url)
    page.locator(".st-key-sign_in_name input").fill(name)
    choose(page, "sign_in_role", "Counsel" if role == "counsel" else "Disclosure staff")
    page.get_by_role("button", name="Sign in").click()
    expect_text(page, f"Signed in as {name}")
    wait_idle(page)


def set_page(page, number: int) -> None:
    """Step the page number with its + / − buttons, as a reader turns pages."""
    field = page.locator(".st-key-page input")
    while (current := int(field.input_value())) != number:
        page.locator(".st-key-page [data-testid='stNumberInputStep%s']" % ("Up" if current < number else "Down")).click()
        wait_idle(page)
        page.get_by_text(f"Page {current + (1 if current < number else -1)}:").first.wait_for()


def pick_document(page, name: str) -> None:
    choose(page, "document", name)
    page.get_by_role("heading", name=name).wait_for()


def bulk_accept_everything(page, store: CaseStore, document: int) -> None:
    """Accept what is left undecided in the document, one kind at a time, with the bulk tool."""
    page.locator(".st-key-bulk_scope").get_by_text("whole document").click()
    wait_idle(page)
    kinds = sorted({p.entity for p in store.proposals(document) if p.status == "proposed"})
    for kind in kinds:
        choose(page, "bulk_value", kind)
        click(page, "bulk_accept")
        expect_text(page, f"({kind})")


def released_text(pdf: Path) -> str:
    with pymupdf.open(pdf) as doc:
        return "\n".join(p.get_text() for p in doc)


# ---------------------------------------------------------------- the test
def test_review_approve_release_in_a_real_browser(browser_page, app_url: str, case_dir: Path,
                                                  tmp_path: Path) -> None:
    page = browser_page
    store = CaseStore.open(case_dir)
    ids = {d.original_name: d.id for d in store.documents()}
    memo, letter = ids["memo-coordination.pdf"], ids["letter.pdf"]
    on_first_page = sorted((p for p in store.proposals(memo) if p.page == 0),
                           key=lambda p: (round(p.boxes[0][1]), p.boxes[0][0]))
    accepted, rejected = on_first_page[0], on_first_page[1]
    assert sum(p.text == rejected.text for p in store.proposals(memo)) == 1

    # disclosure staff: decide, add by search, withhold a page
    sign_in(page, app_url, "Dana Reyes", "staff")
    page.get_by_role("heading", name="memo-coordination.pdf").wait_for()
    click(page, f"accept_{accepted.id}")
    expect_text(page, f"Accepted “{accepted.text}”")
    click(page, f"reject_{rejected.id}")
    expect_text(page, f"Rejected “{rejected.text}”")

    fill(page, "search_pattern", SEARCHED)
    choose(page, "search_codes", "(b)(7)(E)")
    click(page, "search_add")
    expect_text(page, f"Added redactions for “{SEARCHED}”")

    # the reviewer as it looks mid-review: page 1 with every status, the list beside it
    page.locator('[data-testid="stToast"] button').first.click()
    page.set_viewport_size({"width": 1600, "height": 1400})
    page.get_by_role("heading", name="memo-coordination.pdf").scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    screenshot = tmp_path / "reviewer.png"
    page.screenshot(path=str(screenshot), full_page=False)
    page.set_viewport_size({"width": 1600, "height": 1200})

    set_page(page, 2)
    choose(page, "withhold_codes", "(b)(7)(E)")
    fill(page, "withhold_reason", "the page sets out inspection techniques throughout")
    click(page, "withhold_page")
    expect_text(page, "Page 2 is withheld in full")

    bulk_accept_everything(page, CaseStore.open(case_dir), memo)
    pick_document(page, "letter.pdf")
    bulk_accept_everything(page, CaseStore.open(case_dir), letter)
    state = {d.original_name: (d.reviewed, d.total) for d in CaseStore.open(case_dir).documents()}
    assert all(reviewed == total for reviewed, total in state.values()), state

    # counsel: approve both, release
    click(page, "sign_out")
    sign_in(page, app_url, "Morgan Hale", "counsel")
    for name in DOCS:
        pick_document(page, name)
        fill(page, "counsel_comment", "Exemptions supported; segregable parts released.")
        click(page, "approve")
        expect_text(page, f"Approved {name}")
    assert {d.status for d in CaseStore.open(case_dir).documents()} == {"approved"}

    out = tmp_path / "release-2024-0117"
    fill(page, "release_out", str(out))
    click(page, "release")
    expect_text(page, f"Release package written to {out}")

    # the release package, read as a requester (and a court) would
    memo_pdf = out / "documents" / "memo-coordination.redacted.pdf"
    letter_pdf = out / "documents" / "letter.redacted.pdf"
    memo_text = released_text(memo_pdf).replace("\n", " ")
    assert accepted.text not in memo_text
    assert SEARCHED not in memo_text
    assert rejected.text in memo_text  # rejected: released as it was
    with pymupdf.open(memo_pdf) as doc, pymupdf.open(SAMPLES / "memo-coordination.pdf") as original:
        assert doc.page_count == original.page_count
        placeholder = doc[1].get_text()
        assert "withheld in full" in placeholder and "(b)(7)(E)" in placeholder
        lines = [ln.strip() for ln in original[1].get_text().splitlines() if len(ln.strip()) > 20]
        assert lines and not any(ln in placeholder for ln in lines)  # none of the page's text
    letter_text = released_text(letter_pdf).replace("\n", " ")
    for proposal in CaseStore.open(case_dir).proposals(letter):
        assert proposal.text.replace("\n", " ") not in letter_text

    with (out / "vaughn_index.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    memo_rows = [r for r in rows if r["document"].startswith("memo-coordination")]
    letter_rows = [r for r in rows if r["document"].startswith("letter")]
    final = CaseStore.open(case_dir)
    assert len(memo_rows) == 1 + sum(p.status != "rejected" and p.page != 1 for p in final.proposals(memo))
    assert len(letter_rows) == sum(p.status != "rejected" for p in final.proposals(letter))
    assert {"page": "2", "codes": "(b)(7)(E)", "extent": "withheld in full"}.items() <= next(
        r for r in memo_rows if r["extent"] == "withheld in full").items()
    assert all(r["justification"] for r in rows)
    everything = " ".join(" ".join(r.values()) for r in rows)
    assert accepted.text not in everything and SEARCHED not in everything  # the index never reveals it
    assert (out / "manifest.json").is_file()

    if os.environ.get("REDACTOR_UPDATE_SCREENSHOT"):
        (ROOT / "docs").mkdir(exist_ok=True)
        shutil.copyfile(screenshot, ROOT / "docs" / "reviewer.png")
