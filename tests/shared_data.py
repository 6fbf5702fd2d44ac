"""Where the real test files live: ../shared/data beside the checkout, or the env override."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def shared_data_dir() -> Path:
    configured = os.environ.get("VOTETRAIL_SHARED_DATA")
    if configured:
        return Path(configured)
    return REPO.parent / "shared" / "data"
