"""zstd for Anki's current package format: `compression.zstd` from Python 3.14, the `zstandard` package before."""

from __future__ import annotations

from importlib import import_module
from types import ModuleType
from typing import IO


def _stdlib_zstd() -> ModuleType | None:
    """`compression.zstd` on Python 3.14 and later, else None (the `zstandard` package is used)."""
    try:
        return import_module("compression.zstd")
    except ImportError:
        return None


def decompress_stream(source: IO[bytes], target: IO[bytes]) -> None:
    """Decompress a zstd stream (frames without a content size included, as Anki writes them)."""
    zstd = _stdlib_zstd()
    if zstd is None:
        import zstandard

        zstandard.ZstdDecompressor().copy_stream(source, target)
        return
    with zstd.ZstdFile(source) as reader:
        while chunk := reader.read(1 << 20):
            target.write(chunk)


def compress_stream(source: IO[bytes], target: IO[bytes]) -> None:
    """Compress a stream with zstd (level 3, zstd's default)."""
    zstd = _stdlib_zstd()
    if zstd is None:
        import zstandard

        zstandard.ZstdCompressor(level=3).copy_stream(source, target)
        return
    with zstd.ZstdFile(target, "w", level=3) as writer:
        while chunk := source.read(1 << 20):
            writer.write(chunk)


def compress(data: bytes) -> bytes:
    """zstd bytes of `data`."""
    import io

    out = io.BytesIO()
    compress_stream(io.BytesIO(data), out)
    return out.getvalue()


def error_types() -> tuple[type[Exception], ...]:
    """The exceptions a damaged zstd stream raises, whichever library reads it."""
    zstd = _stdlib_zstd()
    if zstd is not None:
        return (zstd.ZstdError, EOFError)
    import zstandard

    return (zstandard.ZstdError,)
