"""The judge file schema (``judges/<name>/judge.yaml``): every field a judge may set.

A judge is data: its kind (a registered protocol: rubric, pairwise, language-id, ...), its
backend, its prompt templates and, for a rubric, its facets and scales. Unknown keys are
refused here; what a kind requires is checked by its protocol when the judge is loaded.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..recipe.judging import BackendOverride, RecipeJudging

__all__ = ["BackendConfig", "BackendOverride", "Facet", "FloorRule", "JudgeConfig", "Prompts", "RecipeJudging"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BackendConfig(Strict):
    """Where the judge model runs."""

    type: str = Field(
        "openai", description="A registered judge backend. `openai`: any OpenAI-compatible chat endpoint "
        "(OpenAI, vLLM, llama.cpp server, Ollama). `local`: a transformers model in this process.")
    model: str = Field(..., description="Model name sent to the endpoint, or for `local` a model path, "
                       "Hub id or `builtin:` name.")
    base_url: str | None = Field(None, description="Endpoint root, e.g. http://127.0.0.1:8080/v1 "
                                 "(default: the openai package's, i.e. api.openai.com).")
    api_key_env: str | None = Field(
        None, description="Name of the environment variable holding the API key (the key itself never goes "
        "in a file). Without `base_url`: the key for api.openai.com (default `OPENAI_API_KEY`). With "
        "`base_url`: pairs that endpoint with this key; set both in the same place (a `base_url` given "
        "alone, e.g. by --judge-base-url, drops the pairing). An unpaired endpoint gets no key (loopback "
        "servers need none); a key is never sent over plain http to another host.")
    temperature: float = Field(0.0, ge=0, description="Sampling temperature (0: greedy).")
    max_tokens: int = Field(256, gt=0, description="Longest judge reply, in tokens.")
    concurrency: int = Field(8, gt=0, description="Requests in flight at once (openai) / batch size (local).")
    timeout_s: float = Field(60.0, gt=0, description="Per-request timeout in seconds.")
    max_retries: int = Field(6, ge=0, description="Retries on 429, 5xx, timeouts and dropped connections.")
    backoff_s: float = Field(0.5, gt=0, description="First retry delay; doubles each retry (with jitter).")
    structured_output: Literal["json_schema", "json_object", "none"] = Field(
        "json_schema", description="How the reply's JSON schema is sent as `response_format`: `json_schema` "
        "(OpenAI, vLLM, llama.cpp's own server), `json_object` with a `schema` (llama-cpp-python's server), "
        "or `none`. Parsing stays strict either way.")


class Facet(Strict):
    """One graded facet of a rubric."""

    name: str = Field(..., pattern=r"^[a-z][a-z0-9_]*$", description="JSON key the judge answers with.")
    description: str = Field(..., description="What the facet measures (shown to the judge).")
    min: int = Field(1, description="Lowest grade.")
    max: int = Field(3, description="Highest grade.")
    levels: dict[int, str] = Field(default_factory=dict, description="Meaning of each grade.")

    @model_validator(mode="after")
    def _scale(self) -> Facet:
        if self.max <= self.min:
            raise ValueError("max must be greater than min")
        bad = [k for k in self.levels if not self.min <= k <= self.max]
        if bad:
            raise ValueError(f"levels {bad} lie outside {self.min}..{self.max}")
        return self


class FloorRule(Strict):
    """When facet `when` is at its lowest grade, the facets in `forces` go to their lowest grade."""

    when: str = Field(..., description="Facet whose lowest grade triggers the rule.")
    forces: list[str] = Field(..., min_length=1, description="Facets set to their lowest grade.")


class Prompts(Strict):
    system: str | None = Field(None, description="Template file for the system message (Jinja2).")
    user: str = Field(..., description="Template file for the user message (Jinja2).")


class JudgeConfig(Strict):
    """A judge: how answers are graded."""

    name: str = Field(..., pattern=r"^[a-z0-9][a-z0-9._-]*$", description="Judge name (its folder's name).")
    kind: str = Field(..., description="Grading protocol: a registered judge protocol (built in: rubric, "
                      "pairwise, language-id; see babelbench.judge.protocol).")
    description: str = Field("", description="Free text.")
    version: str = Field("1", description="Bump to re-judge everything after a change the hash can't see.")
    backend: BackendConfig | None = Field(None, description="Judge model; not used by `language-id`.")
    prompts: Prompts | None = Field(None, description="Prompt templates, relative to the judge folder.")
    facets: list[Facet] = Field(default_factory=list, description="Rubric facets (kind rubric).")
    floor_rules: list[FloorRule] = Field(default_factory=list, description="Rubric floor rules.")
    apply_floor_rules: bool = Field(False, description="Apply `floor_rules` to the grades (raw grades kept).")
    rationale_chars: int = Field(400, gt=0, description="Longest rationale the reply may carry.")
    tasks: list[str] = Field(["*"], min_length=1, description="Task-name patterns (fnmatch) this judge grades.")
    identifier: str | None = Field(None, description="language-id: `lingua` (the default), or a fastText "
                                   "language-ID model file (lid.176.bin, GlotLID) relative to the judge folder.")
