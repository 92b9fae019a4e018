"""The reviewer: `streamlit run app.py` (what `redactor review CASE` starts).

Disclosure staff read each page with the proposed redactions drawn over it and decide;
counsel approve or return each document. The app is a thin layer: every decision goes
to the case store (`redactor.store`), every picture comes from `redactor.review_view`,
and the release preview and the release itself run the library's own stages.

Which case: `REDACTOR_CASE=CASE_DIR` (and optionally `REDACTOR_DB_URL` for a shared
database); without it, a picker over the case folders under `REDACTOR_CASES_ROOT`
(default: the current directory). Who: `redactor.review_identity` (pluggable).
"""
from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import streamlit as st

from redactor import review_view as rv
from redactor.codes import load_code_set
from redactor.errors import RedactorError
from redactor.review_identity import ROLE_LABELS, load_provider, sign_out
from redactor.store import CaseStore, ConflictError, User

st.set_page_config(page_title="redactor — review", page_icon="⬛", layout="wide")


# ---------------------------------------------------------------- case and store
@st.cache_resource(show_spinner=False)
def open_store(case_dir: str, url: str) -> CaseStore:
    """One store per case for the server process: every session shares it, as every
    reviewer shares the database; conflicts between them are the store's to detect."""
    return CaseStore.open(Path(case_dir), url or None)


def case_folders(root: Path) -> list[Path]:
    """Every case folder has a case.json (a shared-database case has no case.db)."""
    return sorted(p for p in root.iterdir() if (p / "case.json").exists()) if root.is_dir() else []


def pick_case() -> Path | None:
    fixed = os.environ.get("REDACTOR_CASE")
    if fixed:
        return Path(fixed)
    root = Path(os.environ.get("REDACTOR_CASES_ROOT", "."))
    folders = case_folders(root)
    if not folders:
        st.sidebar.warning(f"No case folders (with a case.json) under {root.resolve()}. "
                           "Create one with `redactor case new`, or set REDACTOR_CASE.")
        return None
    return st.sidebar.selectbox("Case", folders, format_func=lambda p: p.name, key="case")


# ---------------------------------------------------------------- messages
def flash(kind: str, message: str) -> None:
    """Shown once, at the top of the next run (callbacks run before the page is drawn)."""
    st.session_state.setdefault("flash", []).append((kind, message))


def show_flash() -> None:
    """Successes as a passing toast; refusals and conflicts stay on the page until the next action."""
    for kind, message in st.session_state.pop("flash", []):
        if kind == "success":
            st.toast(message, icon=":material/check_circle:")
        else:
            getattr(st, kind)(message)


def act(what: str, fn, *args, **kwargs) -> None:
    """Run one store call from a button; say what happened, never lose a conflict."""
    try:
        result = fn(*args, **kwargs)
    except ConflictError as exc:
        flash("error", f"Not saved: another reviewer changed this first ({exc}). "
                       "The page now shows their decision; review it and decide again if needed.")
    except PermissionError as exc:
        flash("error", f"Not allowed: {exc}")
    except (ValueError, KeyError, RedactorError) as exc:
        flash("error", f"{what} failed: {exc}")
    else:
        counted = isinstance(result, int) and not isinstance(result, bool)
        flash("success", f"{what} ({result})" if counted else what)


def forget(*prefixes: str) -> None:
    """Drop widget state so the next run shows the store's values again (after an undo)."""
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(prefixes)]:
        del st.session_state[key]


# ---------------------------------------------------------------- sign-in
identity = load_provider()()
if identity is None:
    st.title("redactor — release review")
    st.info("Sign in (in the sidebar) with your name and role to review this case.")
    st.stop()
user = User(name=identity[0], role=identity[1])
is_counsel = user.role == "counsel"
st.sidebar.markdown(f"Signed in as **{user.name}** — {ROLE_LABELS.get(user.role, user.role)}")
st.sidebar.button("Sign out", key="sign_out", on_click=sign_out)

case_dir = pick_case()
if case_dir is None:
    st.stop()
try:
    store = open_store(str(case_dir), os.environ.get("REDACTOR_DB_URL", ""))
except Exception as exc:  # a missing or broken case: one clear line, not a traceback
    st.error(f"Cannot open the case at {case_dir}: {exc}")
    st.stop()
case = store.case
code_set = load_code_set(case.code_set)
code_ids = list(code_set.codes)


def code_label(code_id: str) -> str:
    code = code_set.codes.get(code_id)
    return f"{code_id} — {code.title}" if code else code_id


# ---------------------------------------------------------------- case and document pickers
documents = store.documents()
case_reviewed = sum(d.reviewed for d in documents)
case_total = sum(d.total for d in documents)
with st.sidebar:
    st.markdown(f"### Case {case.number}")
    st.caption(f"Requester: {case.requester} · received {case.received}"
               + (f" · due {case.due}" if getattr(case, "due", None) else "")
               + f" · {case.record_context} · code set {case.code_set} · {case.status}")
    st.progress(case_total and case_reviewed / case_total,
                text=f"Case: {case_reviewed} / {case_total} proposals reviewed")
if not documents:
    st.title(f"Case {case.number}")
    st.info("No documents in this case yet: add them with `redactor case add CASE FILES`.")
    st.stop()

by_id = {d.id: d for d in documents}
if st.session_state.get("document") not in by_id:
    st.session_state["document"] = documents[0].id
# labels are names only: a label that changes with progress makes the browser re-send the choice
doc_id = st.sidebar.selectbox("Document", list(by_id), key="document",
                              format_func=lambda i: by_id[i].original_name)
doc = by_id[doc_id]
if st.session_state.get("page_of") != doc_id:  # another document: start at its first page
    st.session_state["page_of"] = doc_id
    st.session_state["page"] = 1
original = store.original_path(doc_id)
locked = doc.status == "approved"  # the store refuses changes until counsel returns it
page_number = st.sidebar.number_input("Page", min_value=1, max_value=max(doc.page_count, 1),
                                      step=1, key="page")
page = int(page_number) - 1
with st.sidebar.expander("Documents in this case", expanded=False):
    for d in documents:
        st.progress(d.total and d.reviewed / d.total,
                    text=f"{d.original_name}: {d.reviewed}/{d.total} · {d.status}")

# ---------------------------------------------------------------- the page
proposals = store.proposals(doc_id)
withheld = store.withheld_pages(doc_id)
on_page = sorted((p for p in proposals if p.page == page),
                 key=lambda p: (round(p.boxes[0][1]), p.boxes[0][0]))

show_flash()
st.markdown(f"## {doc.original_name}")
st.progress(doc.total and doc.reviewed / doc.total,
            text=f"Document: {doc.reviewed} / {doc.total} reviewed · status {doc.status} · "
                 f"page {page + 1} of {doc.page_count}: {rv.progress_of(on_page)}")
if locked:
    st.info("Approved by counsel: locked. Counsel can return it with a comment to change it.")
elif doc.status == "returned" and getattr(doc, "last_comment", None):
    st.warning(f"Returned by counsel: {doc.last_comment}")

left, right = st.columns([3, 2], gap="medium")
with left:
    preview = st.toggle("Preview as released", key="preview",
                        help="The current decisions applied by the release stage itself (redaction, verification, "
                             "placeholder for a page withheld in full).")
    if preview:
        try:
            png = rv.preview_release_page(store, doc, page)
        except RedactorError as exc:
            st.error(f"The release would fail for this document: {exc}")
            png = None
        if png is not None:
            st.image(png, caption=f"Page {page + 1} as it will be released", width="stretch")
    else:
        st.markdown(rv.legend_markdown(), unsafe_allow_html=True)
        size = rv.page_size(original, page)
        overlays = rv.overlays_for(on_page, page, withheld=page in withheld, page_size=size)
        st.image(rv.render_page(original, page, overlays), width="stretch",
                 caption=f"Page {page + 1}: {len(on_page)} proposals"
                         + (f" · withheld in full {', '.join(withheld[page])}" if page in withheld else ""))


def decide(proposal, action: str) -> None:
    reason = st.session_state.get(f"comment_{proposal.id}", "")
    codes = st.session_state.get(f"codes_{proposal.id}") if action == "recode" else None
    if action == "recode" and not codes:
        flash("error", "Choose at least one code to re-code.")
        return
    act(f"{action.capitalize()}ed “{proposal.text}”" if action != "recode"
        else f"Re-coded “{proposal.text}” as {', '.join(codes)}",
        store.decide, proposal.id, action, user, reason=reason, codes=codes,
        expected_version=proposal.version)
    st.session_state[f"comment_{proposal.id}"] = ""


with right:
    if page in withheld:
        st.warning(f"Page {page + 1} is withheld in full ({', '.join(withheld[page])}).")
    st.markdown(f"**Proposals on page {page + 1}** ({len(on_page)})")
    with st.container(height=900, border=False):  # about the height of the page image beside it
        if not on_page:
            st.caption("No proposals on this page.")
        for number, p in enumerate(on_page, start=1):
            with st.container(border=True):
                status = rv.display_status(p)
                r, g, b = rv.STATUS_COLOURS[status]
                st.markdown(
                    f"<span style='background:rgb({r},{g},{b});color:white;padding:0 0.4em;"
                    f"border-radius:0.3em'>{number}</span> **{p.text}** · `{', '.join(p.codes)}` · "
                    f"{rv.STATUS_LABELS[status]}", unsafe_allow_html=True)
                who = f" · last decided by {p.decided_by}" if getattr(p, "decided_by", None) else ""
                st.caption(f"{p.entity} · {p.recognizer or 'added by a reviewer'} · score {p.score:.2f}{who} — "
                           f"{p.rationale}")
                a, rj, rc = st.columns(3)
                a.button("Accept", key=f"accept_{p.id}", on_click=decide, args=(p, "accept"),
                         disabled=locked or p.status == "accepted", width="stretch")
                rj.button("Reject", key=f"reject_{p.id}", on_click=decide, args=(p, "reject"),
                          disabled=locked or p.status == "rejected", width="stretch")
                rc.button("Re-code", key=f"recode_{p.id}", on_click=decide, args=(p, "recode"),
                          disabled=locked, width="stretch", help="Save the codes below (and accept)")
                st.multiselect("Codes", code_ids, default=[c for c in p.codes if c in code_set.codes],
                               format_func=code_label, key=f"codes_{p.id}", label_visibility="collapsed")
                st.text_input("Comment", key=f"comment_{p.id}", placeholder="Comment (why)",
                              label_visibility="collapsed")

# ---------------------------------------------------------------- bulk, add, withhold, undo
st.divider()
bulk, add, page_tools = st.columns(3, gap="medium")

with bulk:
    st.markdown("**Decide many at once**")
    field = st.radio("By", ["entity", "recognizer"], horizontal=True, key="bulk_field",
                     format_func={"entity": "kind", "recognizer": "recognizer"}.get)
    scope = st.radio("Where", ["page", "document"], horizontal=True, key="bulk_scope",
                     format_func={"page": "this page", "document": "whole document"}.get)
    pool = on_page if scope == "page" else proposals
    values = rv.group_values(pool, field)
    value = st.selectbox("Which", values, key="bulk_value") if values else None

    def bulk_decide(action: str) -> None:
        # only the undecided: a bulk action never overrides a reviewer's explicit decision
        chosen = [p for p in (on_page if st.session_state.bulk_scope == "page" else proposals)
                  if str(getattr(p, st.session_state.bulk_field)) == st.session_state.get("bulk_value")
                  and p.status == "proposed"]
        if not chosen:
            flash("warning", "Nothing undecided of that kind here.")
            return
        act(f"{action.capitalize()}ed {len(chosen)} proposals ({st.session_state.get('bulk_value')})",
            store.decide_many, [p.id for p in chosen], action, user,
            expected_versions={p.id: p.version for p in chosen})

    b1, b2 = st.columns(2)
    b1.button("Accept all undecided", key="bulk_accept", on_click=bulk_decide, args=("accept",),
              disabled=value is None, width="stretch")
    b2.button("Reject all undecided", key="bulk_reject", on_click=bulk_decide, args=("reject",),
              disabled=value is None, width="stretch")

with add:
    st.markdown("**Add a redaction**")
    by_search, by_region = st.tabs(["By search", "By region"])
    with by_search:
        st.text_input("Text or pattern", key="search_pattern",
                      placeholder="e.g. Jane Roe, or \\bA\\d{8,9}\\b with 'pattern'")
        st.checkbox("Pattern (regular expression)", key="search_regex")
        st.radio("Where", ["case", "document"], horizontal=True, key="search_scope",
                 format_func={"case": "every occurrence in the case", "document": "this document"}.get)
        st.multiselect("Codes", code_ids, format_func=code_label, key="search_codes")

        def add_by_search() -> None:
            pattern = st.session_state.get("search_pattern", "").strip()
            codes = st.session_state.get("search_codes") or []
            if not pattern or not codes:
                flash("error", "Enter the text or pattern and choose at least one code.")
                return
            scope = st.session_state.search_scope
            act(f"Added redactions for “{pattern}”", store.add_by_search, pattern,
                regex=bool(st.session_state.get("search_regex")), codes=codes, user=user,
                scope=scope, document_id=doc_id if scope == "document" else None)

        st.button("Add every occurrence", key="search_add", on_click=add_by_search)
    with by_region:
        st.caption(f"PDF points from the top-left of page {page + 1} "
                   f"({rv.page_size(original, page)[0]:.0f} × {rv.page_size(original, page)[1]:.0f}).")
        c0, c1, c2, c3 = st.columns(4)
        for col, name in zip((c0, c1, c2, c3), ("x0", "y0", "x1", "y1")):
            col.number_input(name, min_value=0.0, step=1.0, key=f"region_{name}")
        st.multiselect("Codes", code_ids, format_func=code_label, key="region_codes")
        st.text_input("Reason", key="region_reason")

        def add_region() -> None:
            box = [float(st.session_state[f"region_{n}"]) for n in ("x0", "y0", "x1", "y1")]
            codes = st.session_state.get("region_codes") or []
            if box[2] <= box[0] or box[3] <= box[1] or not codes:
                flash("error", "A region needs x1 > x0, y1 > y0 and at least one code.")
                return
            text = rv.text_in_region(original, page, box) or f"[region on page {page + 1}]"
            act(f"Added a region redaction on page {page + 1}", store.add_redaction, doc_id, page,
                [box], text, codes, user, st.session_state.get("region_reason", ""))

        st.button("Add region", key="region_add", on_click=add_region)

with page_tools:
    st.markdown(f"**Page {page + 1}**")
    if page in withheld:
        st.button("Release this page again", key="release_page", on_click=lambda: act(
            f"Page {page + 1} no longer withheld in full", store.release_page, doc_id, page, user,
            st.session_state.get("withhold_reason", "")))
    else:
        st.multiselect("Codes for the whole page", code_ids, format_func=code_label, key="withhold_codes")
        st.text_input("Reason", key="withhold_reason")

        def withhold() -> None:
            codes = st.session_state.get("withhold_codes") or []
            if not codes:
                flash("error", "Choose the exemption codes the withheld page cites.")
                return
            act(f"Page {page + 1} withheld in full", store.withhold_page, doc_id, page, codes, user,
                st.session_state.get("withhold_reason", ""))

        st.button("Withhold page in full", key="withhold_page", on_click=withhold)

    def undo() -> None:
        act("Undid your last decision on this document", store.undo, doc_id, user)
        forget("codes_")

    st.button("Undo my last decision", key="undo", on_click=undo)

# ---------------------------------------------------------------- counsel and release
st.divider()
sign_off, release_col = st.columns(2, gap="medium")
with sign_off:
    st.markdown("**Counsel sign-off**")
    if not is_counsel:
        st.caption("Only counsel can approve a document or return it with a comment.")
    st.text_area("Comment to the reviewers", key="counsel_comment", disabled=not is_counsel)

    def approve() -> None:
        act(f"Approved {doc.original_name}", store.approve, doc_id, user,
            comment=st.session_state.get("counsel_comment", ""))

    def send_back() -> None:
        comment = st.session_state.get("counsel_comment", "").strip()
        if not comment:
            flash("error", "Say what to change: returning a document needs a comment.")
            return
        act(f"Returned {doc.original_name} to the reviewers", store.return_document, doc_id, user, comment)

    a1, a2 = st.columns(2)
    a1.button("Approve document", key="approve", on_click=approve, disabled=not is_counsel,
              type="primary", width="stretch")
    a2.button("Return with comment", key="return", on_click=send_back, disabled=not is_counsel,
              width="stretch")

with release_col:
    st.markdown("**Release package**")
    approved = [d for d in documents if d.status in ("approved", "released")]
    st.caption(f"{len(approved)} of {len(documents)} documents approved; only those are released.")
    st.text_input("Write the package to (a new folder)", key="release_out",
                  value=str(case_dir / "releases" / f"release-{date.today():%Y-%m-%d}"),
                  disabled=not is_counsel)

    def release() -> None:
        from redactor.release import release_case
        out = Path(st.session_state.release_out).expanduser()
        try:
            report = release_case(store, out)
        except (RedactorError, OSError, ValueError) as exc:
            flash("error", f"Release failed: {exc}")
            return
        for name, message in report.failed:
            flash("error", f"Not released: {name}: {message}")
        flash("success", f"Release package written to {out}: {report}")

    st.button("Release approved documents", key="release", on_click=release,
              disabled=not (is_counsel and approved))

with st.expander("Audit trail of this document"):
    entries = store.audit(doc_id)
    st.dataframe([{"when": str(e.when), "who": e.who, "role": e.role, "action": e.action, "detail": e.detail}
                  for e in entries], hide_index=True, width="stretch")
