"""Static files in production: hashed names that browsers may keep for a year, and gzip copies
that WhiteNoise serves to those who accept them (`mnr serve` collects them; docs/operations.md)."""

from __future__ import annotations

from typing import Any

from whitenoise.compress import Compressor
from whitenoise.storage import CompressedManifestStaticFilesStorage

# Source maps are read only by a developer's tools, never by a page: not worth compressing.
SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")


class ProductionStaticFilesStorage(CompressedManifestStaticFilesStorage):  # type: ignore[misc]
    """WhiteNoise's hashed and compressed storage, gzip only: Brotli at its default quality
    takes seconds for each of the API docs' large scripts at every deployment (a collection
    took 29 s instead of 7 s on the 2-core machine), for files a fifth smaller."""

    def create_compressor(self, **kwargs: Any) -> Compressor:
        kwargs["extensions"] = SKIP_COMPRESS_EXTENSIONS
        return Compressor(use_brotli=False, **kwargs)
