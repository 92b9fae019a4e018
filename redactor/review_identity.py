"""Who is using the reviewer: a pluggable identity provider.

A provider is a function the app calls on every run; it returns the signed-in
`(name, role)` or None (not signed in yet — it may draw its own sign-in widgets).
The default is a simple sign-in form by name and role, enough on one machine. A deployment
behind a single-sign-on proxy sets `REDACTOR_IDENTITY=redactor.review_identity:trusted_header`
(or its own `module:function`) instead.
"""
from __future__ import annotations

import importlib
import os
from typing import Callable, Optional

import streamlit as st

ROLES = ("staff", "counsel")
ROLE_LABELS = {"staff": "Disclosure staff (review)", "counsel": "Counsel (approve / return)"}
Identity = Optional[tuple[str, str]]
Provider = Callable[[], Identity]


def sign_in_form() -> Identity:
    """Name and role typed in the sidebar; kept in the session until signing out."""
    if "identity" in st.session_state:
        return st.session_state["identity"]
    with st.sidebar.form("sign_in"):
        st.markdown("**Sign in**")
        name = st.text_input("Name", key="sign_in_name")
        role = st.selectbox("Role", ROLES, format_func=ROLE_LABELS.get, key="sign_in_role")
        submitted = st.form_submit_button("Sign in")
    if submitted:
        if not name.strip():
            st.sidebar.error("Enter your name to sign in.")
            return None
        st.session_state["identity"] = (name.strip(), role)
        return st.session_state["identity"]
    return None


def trusted_header() -> Identity:
    """Behind a proxy that authenticates users and sets `X-Forwarded-User`; counsel are
    the names listed in `REDACTOR_COUNSEL` (comma-separated), everyone else is staff."""
    name = (st.context.headers.get("X-Forwarded-User") or "").strip()
    if not name:
        return None
    counsel = {n.strip() for n in os.environ.get("REDACTOR_COUNSEL", "").split(",") if n.strip()}
    return name, "counsel" if name in counsel else "staff"


def sign_out() -> None:
    st.session_state.pop("identity", None)


def load_provider(spec: str | None = None) -> Provider:
    """`module:function` from the argument or `REDACTOR_IDENTITY`; the sign-in form by default."""
    spec = spec or os.environ.get("REDACTOR_IDENTITY", "")
    if not spec:
        return sign_in_form
    module, _, name = spec.partition(":")
    if not name:
        raise ValueError(f"REDACTOR_IDENTITY={spec!r}: expected 'module:function'")
    return getattr(importlib.import_module(module), name)
