"""What the workspace and the public L&A pages share: file downloads."""

from __future__ import annotations

from urllib.parse import quote

from starlette.responses import Response


def download(body: bytes | str, media_type: str, name: str, *, inline: bool = False) -> Response:
    disposition = "inline" if inline else "attachment"
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(name)}"},
    )
