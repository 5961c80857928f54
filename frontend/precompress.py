"""Write Brotli, zstd and gzip copies of GraphiQL's assets next to them, at build time (``make assets``).

The gateway's ``PrecompressedFiles`` sends ``name.br`` (or ``.zst``, ``.gz``) to a client that accepts
it, so the 3.5 MB bundle is compressed once, at the highest levels, never per request.
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

import brotli

from gateway.compression import MIN_BYTES, zstd

SUFFIXES = (".br", ".zst", ".gz")


def precompress(directory: Path) -> None:
    for path in sorted(directory.iterdir()):
        if path.suffix in SUFFIXES or not path.is_file() or path.stat().st_size < MIN_BYTES:
            continue
        data = path.read_bytes()
        for suffix, encoded in (
            (".br", brotli.compress(data, quality=11)),
            (".zst", zstd.compress(data, level=19)),
            (".gz", gzip.compress(data, compresslevel=9, mtime=0)),
        ):
            Path(f"{path}{suffix}").write_bytes(encoded)


if __name__ == "__main__":
    for name in sys.argv[1:]:
        precompress(Path(name))
