"""zstd for Anki's current package format: `compression.zstd` from Python 3.14, the `zstandard` package before."""

from __future__ import annotations

from typing import BinaryIO


def decompress_stream(source: BinaryIO, target: BinaryIO) -> None:
    """Decompress a zstd stream (frames without a content size included, as Anki writes them)."""
    try:
        from compression import zstd  # type: ignore[import-not-found]
    except ImportError:
        import zstandard

        zstandard.ZstdDecompressor().copy_stream(source, target)
        return
    with zstd.ZstdFile(source) as reader:
        while chunk := reader.read(1 << 20):
            target.write(chunk)


def compress_stream(source: BinaryIO, target: BinaryIO) -> None:
    """Compress a stream with zstd (level 3, zstd's default)."""
    try:
        from compression import zstd  # type: ignore[import-not-found]
    except ImportError:
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
    try:
        from compression import zstd  # type: ignore[import-not-found]

        return (zstd.ZstdError, EOFError)
    except ImportError:
        import zstandard

        return (zstandard.ZstdError,)
