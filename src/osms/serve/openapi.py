"""Print the OpenAPI document for the bundled policies: `python -m osms.serve.openapi > docs/openapi.json`."""

from __future__ import annotations

import json
from typing import Any


def document() -> dict[str, Any]:
    from ..cli.common import load
    from .app import create_app

    return create_app(load(None)).openapi()


def text() -> str:
    return json.dumps(document(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    print(text(), end="")
