"""``python -m gateway.healthcheck``: exit 0 when this host's gateway answers /healthz (the container check)."""

from __future__ import annotations

import os
import sys
import urllib.request

__all__ = ["main"]


def main() -> int:
    url = f"http://127.0.0.1:{os.environ.get('GATEWAY_PORT', '8000')}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return 0 if response.status == 200 else 1
    except OSError:
        return 1


if __name__ == "__main__":
    sys.exit(main())
