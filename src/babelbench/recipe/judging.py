"""The recipe's ``judge:`` section: settings shared by the judges a recipe lists.

Part of the recipe's configuration, so it lives here (config imports no stage code);
:mod:`babelbench.judge.schema` re-exports both models next to the judge file's own schema.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BackendOverride(Strict):
    """Backend fields a recipe or the command line may replace (e.g. a local server's URL)."""

    type: str | None = None
    model: str | None = None
    base_url: str | None = None
    api_key_env: str | None = None
    concurrency: int | None = Field(None, gt=0)
    timeout_s: float | None = Field(None, gt=0)
    max_retries: int | None = Field(None, ge=0)
    backoff_s: float | None = Field(None, gt=0)
    max_tokens: int | None = Field(None, gt=0)
    structured_output: Literal["json_schema", "json_object", "none"] | None = None


class RecipeJudging(Strict):
    """The recipe's `judge:` section: settings shared by the judges it lists."""

    baseline: str | None = Field(None, description="Variant the `pairwise` judge compares against "
                                 "(its full name, e.g. `demo@en-only`).")
    backend: BackendOverride | None = Field(None, description="Replaces fields of every listed judge's backend.")
    tasks: list[str] | None = Field(None, description="Task-name patterns to judge (default: each judge's own).")
    pairs: Literal["baseline", "all"] | list[tuple[str, str]] = Field(
        "baseline", description="Which variants a pairwise judge compares: each with `baseline` (default); "
        "`all` pairs of this run's variants that list the judge (each pair once); or explicit "
        "[[variant, other], ...] pairs (variant judged against other). Rankings (Bradley-Terry) use every pair.")
