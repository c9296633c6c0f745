"""Fixtures shared by the whole suite."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared beside the repo; tests that need it skip with the reason when it is absent."""
    if not (SHARED / "eval").is_dir():
        pytest.skip(f"{SHARED} not present: the shared corpora and eval set live there")
    return SHARED


@pytest.fixture(scope="session")
def nlp_model():
    """The real spaCy model (en_core_web_sm or its stand-in), loaded once per session."""
    from extractors.model import load_model

    return load_model("en_core_web_sm")


@pytest.fixture(scope="session")
def nlp_full():
    """The real model with every newswatch component, loaded once per session."""
    from extractors import build_nlp
    from pipeline.core.config import NLPConfig

    return build_nlp(NLPConfig())


from tests.httpserver import http_server  # noqa: E402, F401  (fixture: a real server on 127.0.0.1)
