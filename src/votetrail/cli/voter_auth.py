"""Who is running a voter command: an official's account, checked by password.

Changing or reading the voter list from the command line needs the same
account and county rules as the web, so a county clerk's shell cannot change
another county's voters; the password comes from ``VOTETRAIL_PASSWORD`` (for
scripts) or is asked for.
"""

from __future__ import annotations

import getpass
import os
from typing import Annotated

import typer

from votetrail.core.access import Principal
from votetrail.services.context import App
from votetrail.services.directory import authenticate

User = Annotated[
    str,
    typer.Option(
        "--user",
        envvar="VOTETRAIL_USER",
        help="Your votetrail account; the password is read from VOTETRAIL_PASSWORD or asked for.",
    ),
]


def sign_in(app: App, username: str) -> Principal:
    password = os.environ.get("VOTETRAIL_PASSWORD") or getpass.getpass(f"Password for {username}: ")
    return authenticate(app, username, password)
