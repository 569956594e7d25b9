"""Shared loop of the interop drivers written in Python (docs/interop.md).

A driver is a persistent process: one JSON request per line on stdin, one JSON
answer per line on stdout. ``serve(handle)`` runs that loop; ``handle(request)``
returns the answer dict or raises. Exceptions that the handler did not turn
into a uniform error code become ``DriverError`` (a fault of the driver or of
the matrix, never a pass). Single-threaded.
"""

import base64
import json
import sys
from typing import Any, Callable, Dict

Request = Dict[str, Any]
Answer = Dict[str, Any]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def unb64(text: str) -> bytes:
    return base64.b64decode(text or "")


def failure(code: str, idiom: str, status: str = "", message: str = "") -> Answer:
    out: Answer = {"ok": False, "error": code, "idiom": idiom, "message": message}
    if status:
        out["status"] = status
    return out


def serve(handle: Callable[[Request], Answer]) -> None:
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            answer = handle(json.loads(line))
        except Exception as e:  # noqa: BLE001 - reported to the runner, which fails the cell
            answer = {"ok": False, "error": "DriverError", "message": f"{type(e).__name__}: {e}"}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()
