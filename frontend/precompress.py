"""Write Brotli, zstd and gzip copies of GraphiQL's assets next to them, at build time (``make assets``).

The gateway's ``PrecompressedFiles`` (``gateway/compression.py``) sends ``name.br`` (or ``.zst``,
``.gz``) to a client that accepts it, so the 3.5 MB bundle is compressed once, at the highest
levels, never per request. Needs only ``brotli`` and ``backports.zstd`` (the Dockerfile runs it
before the gateway is installed).
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

import brotli

try:  # Python >= 3.14
    from compression import zstd  # type: ignore[import-not-found,unused-ignore]
except ImportError:
    from backports import zstd  # type: ignore[no-redef,unused-ignore]

MIN_BYTES = 1024  # as gateway.compression.MIN_BYTES
SUFFIXES = (".br", ".zst", ".gz")


def precompress(directory: Path) -> None:
    for path in sorted(directory.iterdir()):
        if path.suffix in SUFFIXES or not path.is_file() or path.stat().st_size < MIN_BYTES:
            continue
        data = path.read_bytes()
        Path(f"{path}.br").write_bytes(brotli.compress(data, quality=11))
        Path(f"{path}.zst").write_bytes(zstd.compress(data, level=19))
        Path(f"{path}.gz").write_bytes(gzip.compress(data, compresslevel=9, mtime=0))


if __name__ == "__main__":
    for name in sys.argv[1:]:
        precompress(Path(name))
