"""Fixtures shared by the whole suite.

``shared_data`` is the one way tests reach the real files in ``../shared/data``
(found beside the checkout, or at ``$VOTETRAIL_SHARED_DATA``). Outside CI a
missing folder skips those tests with the reason; under CI it fails them,
because a green run that silently skipped the real data proves nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.shared_data import REPO, shared_data_dir

pytest_plugins = ["tests.databases", "tests.receivers"]
__all__ = ["REPO"]


@pytest.fixture(scope="session")
def shared_data() -> Path:
    folder = shared_data_dir()
    if not folder.is_dir():
        message = f"shared test data not found at {folder} (set VOTETRAIL_SHARED_DATA)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return folder
