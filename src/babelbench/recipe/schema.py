"""The recipe schema: every field a recipe may set, with its meaning.

Unknown keys are refused everywhere (``extra="forbid"``). Semantic checks that need
more than one field or the file system (languages, weights, files, task names) live in
:mod:`babelbench.validate`, so this module stays a plain description.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)

from ..core.train_method import TrainMethod
from .judging import RecipeJudging


class FieldError(ValueError):
    """A check across fields that blames one of them (``field``, dotted, below the model that raised it):
    the recipe loader reports the problem at that field's line."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)


def _language(code: str) -> str:
    from .. import languages

    return languages.standard_code(code)


#: A language code or tag, stored in its standard form (``yor`` -> ``yo``); any ISO 639 / BCP-47 language.
LanguageCode = Annotated[str, AfterValidator(_language)]


class FieldMapping(Strict):
    """Where a source's rows keep their parts: column names or dotted paths (``meta.question``, ``turns.0``)."""

    prompt: str | None = Field(None, description="The instruction.")
    input: str | None = Field(None, description="Optional input/context appended to the instruction after a blank line.")
    response: str | None = Field(None, description="The response trained on.")
    system: str | None = Field(None, description="Optional system line.")
    id: str | None = Field(None, description="Row id tying parallel rows across languages (PLUG pairs them by it).")
    messages: str | None = Field(None, description="A chat list instead of prompt/response: a list of turns "
                                 "(objects, or strings alternating user/assistant).")
    role: str | None = Field(None, description="Key of a turn's role in `messages` (default `role`).")
    content: str | None = Field(None, description="Key of a turn's text in `messages` (default `content`).")


class Source(Strict):
    """One instruction-data source and the language it is written in."""

    path: str | None = Field(
        None,
        description="Local file, relative to the recipe file's folder: JSON Lines, JSON (a list, or {data: [...]}), "
        "CSV, TSV or Parquet. An optional `id` ties parallel rows across languages.",
    )
    hub: str | None = Field(
        None, description="Hugging Face Hub dataset id, loaded with `datasets` (needs the network)."
    )
    hub_config: str | None = Field(None, description="Dataset configuration name for `hub`.")
    split: str = Field("train", description="Split to read from a Hub dataset.")
    language: LanguageCode = Field(
        ..., description="Language of the rows: an ISO 639 code or BCP-47 tag, e.g. `zh`, `yo`, `zh-Hant`.")
    format: str = Field(
        "auto", description="Row format, a registered name (babelbench.data.formats): alpaca, bactrian-x, dolly, "
        "aya, messages, sharegpt, conversations_list (LIMA), oasst (OpenAssistant trees); `auto` detects "
        "each row's shape.")
    fields: FieldMapping | None = Field(
        None, description="Column mapping; replaces the format's fields it names (`messages` for chat lists).")
    roles: dict[str, Literal["user", "assistant", "system"]] | None = Field(
        None, description="Chat roles as the data calls them -> user/assistant/system (added to the usual "
        "human/gpt/prompter/model names).")
    file_format: Literal["auto", "jsonl", "json", "csv", "tsv", "parquet"] = Field(
        "auto", description="File format; `auto` goes by the suffix.")

    @model_validator(mode="after")
    def _one_location(self) -> Source:
        if (self.path is None) == (self.hub is None):
            raise ValueError("give exactly one of `path` or `hub`")
        return self


class ParallelSource(Strict):
    """Parallel text for translation-task data: one row per parallel sentence tuple, a column per language."""

    path: str | None = Field(
        None, description="Local file, relative to the recipe file's folder: JSON Lines, JSON (a list, or "
        "{data: [...]}), CSV, TSV or Parquet.")
    hub: str | None = Field(
        None, description="Hugging Face Hub dataset id, loaded with `datasets` (needs the network): an OPUS corpus, "
        "a FLORES copy with a column per language, ...")
    hub_config: str | None = Field(None, description="Dataset configuration name for `hub` (e.g. `en-zh`).")
    split: str = Field("train", description="Split to read from a Hub dataset (e.g. `dev`).")
    file_format: Literal["auto", "jsonl", "json", "csv", "tsv", "parquet"] = Field(
        "auto", description="File format; `auto` goes by the suffix.")
    fields: dict[LanguageCode, str] | None = Field(
        None, description="Language code -> the column holding that language's sentence (dotted for nested rows: "
        "`translation.zh` in OPUS corpora). A pair file names its two columns ({en: source, zh: target}) and serves "
        "exactly those languages. Left out: each language's column is its code (`en`, `zh`, ...), one file with a "
        "column per language, serving every language its first row has a column for.")

    @model_validator(mode="after")
    def _one_location(self) -> ParallelSource:
        if (self.path is None) == (self.hub is None):
            raise ValueError("give exactly one of `path` or `hub`")
        return self


PairCount = Annotated[int, Field(ge=0)]


class TranslationConfig(Strict):
    """Translation-task data (x-LLM's CoIT): instructions built from parallel text with a bank of templates
    ("Translate the following sentences from {source_lang} to {target_lang}."), on top of the instruction data."""

    sources: list[ParallelSource] = Field(..., min_length=1, description="Where the parallel text comes from; a "
                                          "language's pairs are pooled over every source that has it and the pivot.")
    pivot: LanguageCode = Field("en", description="The language each target language is paired with (any language).")
    direction: Literal["to_target", "to_english", "both"] = Field(
        "to_target", description="`to_target`: pivot -> target language; `to_english`: target language -> pivot "
        "(the pivot, English unless `pivot` says otherwise); `both`: a language's drawn pairs alternate, the 1st, "
        "3rd, ... pivot -> target and the 2nd, 4th, ... target -> pivot (an odd size gives the extra one to "
        "pivot -> target).")
    size: PairCount | dict[LanguageCode, PairCount] = Field(
        ..., description="Translation examples per target language, on top of `data.size`'s instruction examples: "
        "one number for every language in `languages`, or a number per language ({zh: 200, ar: 100}, as a "
        "scaling-law allocation writes it), whose keys are then the target languages. 0 gives none.")
    languages: list[LanguageCode] | None = Field(
        None, description="The target languages when `size` is one number; left out when `size` is a number per "
        "language.")
    templates: str = Field(
        "default", description="`default`: the shipped bank of English instruction templates (the first is the "
        "flores_gen tasks' prompt); or a text file, relative to the recipe file, with one template per line, each "
        "with {source_lang} and {target_lang} (filled with language names). Item i of each language and direction "
        "gets template i mod the number of templates.")
    seed: int = Field(0, description="Seed for drawing the pairs. Each language draws on its own, and a smaller "
                      "size takes a prefix of a larger one's draw (nested sets for a size sweep).")

    @field_validator("size", mode="wrap")
    @classmethod
    def _size_error(cls, value: Any, handler: Any) -> Any:
        """One problem, not one per union branch: a per-language dict blames its key."""
        try:
            return handler(value)
        except ValidationError as exc:
            per_language = isinstance(value, dict)
            for err in exc.errors():
                loc = [str(p) for p in err["loc"] if p != "[key]"]
                if loc and loc[0].startswith("dict") == per_language:
                    message = str(err["msg"]).removeprefix("Value error, ")
                    if len(loc) > 1:
                        raise FieldError(".".join(loc[1:]), message) from None
                    raise ValueError(message) from None
            raise ValueError("expected a number of pairs, or {language: pairs}") from None

    @model_validator(mode="after")
    def _targets_named_once(self) -> TranslationConfig:
        if isinstance(self.size, dict):
            if self.languages is not None:
                raise FieldError("languages", "leave `languages` out when `size` gives a number per language "
                                              "(its keys are the target languages)")
            if not self.size:
                raise FieldError("size", "names no target language: give {language: pairs, ...}")
        elif not self.languages:
            raise FieldError("languages", "list the target languages (or give `size` as a number per language, "
                                          "e.g. {zh: 200, ar: 100})")
        elif len(set(self.languages)) != len(self.languages):
            raise FieldError("languages", "a language is listed twice")
        return self

    def targets(self) -> dict[str, int]:
        """Target language -> translation examples wanted."""
        if isinstance(self.size, dict):
            return dict(self.size)
        return {lang: self.size for lang in self.languages or []}


class DataConfig(Strict):
    """How the training set is drawn: instruction examples from `sources`, plus translation-task examples."""

    sources: list[Source] = Field(
        default_factory=list, description="Where instruction data comes from (translated instruction data is "
        "one more source in its language). May be left out when `translation` gives all the data.")
    mix: dict[LanguageCode, float] = Field(
        default_factory=dict, description="Share of the instruction examples per language; weights sum to 1 "
        "(required with `sources`).")
    size: int | None = Field(
        None, gt=0, description="Number of instruction examples drawn from `sources` (required with `sources`); "
        "translation examples come on top of it.")
    allow_upsampling: bool = Field(
        False, description="Let a language's share exceed its sources' rows (or its translation size the parallel "
        "pairs): rows are repeated (each pass a new shuffle). Without it, such a size is refused.")
    seed: int = Field(0, description="Seed for sampling rows and for shuffling the whole set (instruction and "
                      "translation examples together); the same seed gives the same set.")
    translation: TranslationConfig | None = Field(
        None, description="Translation-task examples built from parallel text (CoIT), added to the instruction "
        "examples.")

    @model_validator(mode="after")
    def _something_to_draw(self) -> DataConfig:
        if self.sources:
            if not self.mix:
                raise FieldError("mix", "Field required: the share of each language of `sources`")
            if self.size is None:
                raise FieldError("size", "Field required: how many instruction examples to draw from `sources`")
            return self
        if self.translation is None:
            raise FieldError("sources", "give instruction data (`sources`, `mix`, `size`), translation-task data "
                                        "(`translation`), or both")
        for name, value in (("mix", self.mix), ("size", self.size)):
            if value:
                raise FieldError(name, "there are no instruction `sources` to draw from: leave it out (translation "
                                       "sizes go in `translation.size`)")
        return self


class PivotConfig(Strict):
    """Pivot-language guided generation (PLUG)."""

    mode: Literal["none", "plug"] = Field(
        "none",
        description="`plug`: each training response is the pivot-language answer followed by the "
        "target-language answer, each under its section label; evaluation keeps the target part.",
    )
    pivot_language: LanguageCode = Field("en", description="Language answered first in `plug` mode.")
    labels: dict[LanguageCode, str] = Field(
        default_factory=dict, description="PLUG section labels for languages the shipped table lacks (or to replace "
        "one), e.g. {yo: 'Ìdáhùn ní èdè Yorùbá:'}: each opens that language's part of a PLUG answer.")
    system_prompt: str = Field(
        "none", description="System line in training rows and evaluation prompts: `none`; `auto` (PLUG: "
        "'Please interpret the instruction in {pivot}, and then respond both in {pivot} and in {target}.', "
        "mode none: 'Please respond to the following user message in {target}.'); or your own text with "
        "{pivot} and {target} slots (language names). Part of the data and eval keys.")


class LoraConfig(Strict):
    """LoRA adapter shape (peft)."""

    r: int = Field(16, gt=0, description="Rank of the update matrices.")
    alpha: int = Field(32, gt=0, description="Scaling numerator (scale = alpha / r).")
    dropout: float = Field(0.05, ge=0, lt=1, description="Dropout on the LoRA input.")
    target_modules: list[str] = Field(
        default_factory=lambda: ["q_proj", "v_proj"], min_length=1,
        description="Module names to adapt.",
    )


class TrainConfig(Strict):
    """Fine-tuning with transformers' Trainer (+ peft for LoRA)."""

    method: TrainMethod = Field(
        TrainMethod.LORA, description="`none` evaluates the base model as it is."
    )
    lora: LoraConfig = Field(default_factory=LoraConfig, description="Used when method is `lora`.")
    lr: float = Field(1.0e-4, gt=0, description="Peak learning rate.")
    epochs: float | None = Field(None, gt=0, description="Passes over the data (if max_steps unset).")
    max_steps: int | None = Field(None, gt=0, description="Optimizer steps; overrides `epochs`.")
    batch_size: int = Field(8, gt=0, description="Examples per device step.")
    grad_accum: int = Field(1, gt=0, description="Steps accumulated per optimizer update.")
    max_length: int = Field(512, gt=8, description="Tokens per example (prompt + response), truncated.")
    warmup_ratio: float = Field(0.03, ge=0, lt=1, description="Share of steps spent warming up.")
    scheduler: Literal["linear", "cosine", "constant", "constant_with_warmup"] = Field(
        "cosine", description="Learning-rate schedule."
    )
    weight_decay: float = Field(0.0, ge=0, description="AdamW weight decay.")
    seed: int = Field(0, description="Seed for initialisation and data order.")
    train_on_prompt: bool = Field(
        False, description="Also compute the loss on prompt tokens (default: response tokens only)."
    )
    save_steps: int = Field(50, gt=0, description="Checkpoint every N steps (training resumes from the last).")
    checkpoints: int | list[int] | None = Field(
        None, description="Checkpoints to keep for selection (`select`): every K steps (an int), or a list of "
        "steps. The final step is always kept. Each kept checkpoint is evaluated on the validation tasks.")
    dtype: Literal["float32", "bfloat16", "float16", "auto"] = Field(
        "float32", description="Weights' dtype while training; `auto`: bfloat16 on a GPU that has it, else float32."
    )
    launcher: Literal["none", "accelerate"] = Field(
        "none", description="`accelerate`: the train stage runs under `accelerate launch` with `num_processes` "
        "processes (one per GPU; several CPU processes with gloo where there is none).")
    num_processes: int = Field(1, gt=0, description="Processes `accelerate launch` starts (data parallel).")
    accelerate_config: str | None = Field(
        None, description="An accelerate config file (FSDP, DeepSpeed, ...), relative to the recipe file.")

    @field_validator("checkpoints")
    @classmethod
    def _checkpoint_steps(cls, value: int | list[int] | None) -> int | list[int] | None:
        steps = value if isinstance(value, list) else [] if value is None else [value]
        if any(step <= 0 for step in steps):
            raise ValueError("checkpoint steps must be > 0 (leave train.checkpoints out to keep none)")
        if len(set(steps)) != len(steps):
            raise ValueError("a checkpoint step is listed twice")
        return value

    @model_validator(mode="after")
    def _length(self) -> TrainConfig:
        if self.method != TrainMethod.NONE and self.epochs is None and self.max_steps is None:
            self.epochs = 1.0
        return self


class PromptFile(Strict):
    """A local file of prompts evaluated as an lm-eval task (``prompts_<name>``), no YAML needed."""

    path: str = Field(..., description="JSONL of prompts, relative to the recipe file: Alpaca-style "
                      "`instruction` (+ optional `input`) objects, objects with chat `messages`, or bare "
                      "message lists; an optional `id` and `expected_language` per line.")
    language: LanguageCode = Field(..., description="Language of the prompts (ISO 639 code or BCP-47 tag).")
    expected_language: LanguageCode | None = Field(
        None, description="Language the answers should be in, if not the prompts' own (a row's own "
        "`expected_language` wins).")
    name: str | None = Field(None, pattern=r"^[a-z0-9_]+$",
                             description="Task name suffix (default: the file name, slugged).")


class VLLMSettings(Strict):
    """lm-eval's vLLM model (``eval.backend: vllm``); a LoRA variant's adapter is loaded with its rank."""

    tensor_parallel_size: int = Field(1, gt=0, description="GPUs one model is split over.")
    data_parallel_size: int = Field(1, gt=0, description="Model replicas, each on its own GPUs.")
    gpu_memory_utilization: float = Field(0.9, gt=0, le=1, description="Share of each GPU's memory vLLM may take.")
    max_model_len: int | None = Field(None, gt=0, description="Context length (default: the model's own).")


class ServedModel(Strict):
    """A model an OpenAI-compatible server serves (vLLM, SGLang, llama.cpp, TGI), for ``eval.backend: openai``."""

    base_url: str = Field(..., description="The server's API root, e.g. http://127.0.0.1:8000/v1.")
    model: str = Field(..., description="The model name the server knows.")
    concurrency: int = Field(4, gt=0, description="Requests in flight at once.")
    max_retries: int = Field(3, ge=0, description="Retries of a failed request (lm-eval's own).")
    timeout_s: int = Field(300, gt=0, description="Seconds one request may take.")
    api_key_env: str | None = Field(
        None, description="The environment variable whose key this server gets, paired with base_url explicitly "
        "(https, or a server on this machine). Without it the server gets no key (api.openai.com gets "
        "$OPENAI_API_KEY).")


class ServeConfig(Strict):
    """A served sweep (``eval.serve``): one server per base model with every adapter of the run registered;
    each variant is evaluated against it through the `openai` backend (model = its adapter's name)."""

    server: str = Field("vllm", description="A registered model server (babelbench.evaluate.servers): `vllm` "
                        "(`vllm serve --enable-lora`), or `llama_cpp` (a GGUF base model; train.method none only).")
    concurrency: int = Field(8, gt=0, description="Requests in flight at once, per variant.")
    startup_timeout_s: int = Field(900, gt=0, description="Seconds the server may take to answer /v1/models.")
    max_loras: int | None = Field(None, gt=0, description="vllm: adapters in one batch (default: all of the run's).")
    extra_args: list[str] = Field(default_factory=list, description="More arguments for the server's command line.")
    python: str | None = Field(None, description="vllm: the python of vLLM's own environment (default: "
                               "$BABELBENCH_VLLM_PYTHON, else the checkout's .venv-vllm). Not part of any key.")

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        return {"server": value} if isinstance(value, str) else value


class PerLanguageLimit(Strict):
    """A stratified sample: up to ``per_language`` documents of each language of each task, the same
    documents for every variant (paired comparisons) and, where a dataset is parallel (the same ids in every
    language, as XQuAD), the same questions in every language."""

    per_language: int = Field(..., gt=0, description="Documents per language and task (all of a smaller language).")
    seed: int = Field(0, description="Which documents: those whose (seed, id) hashes lowest, so the choice is "
                      "the same in every run, variant and language that has the id.")


def _limit_kind(value: Any) -> str:
    if isinstance(value, dict | PerLanguageLimit):
        return "sample"
    return "count" if isinstance(value, int) and not isinstance(value, bool) else "share"


#: A count, a share, or a stratified sample (told apart by the value's type, so an error names the one meant).
Limit = Annotated[Annotated[PerLanguageLimit, Tag("sample")] | Annotated[int, Tag("count")]
                  | Annotated[float, Tag("share")], Discriminator(_limit_kind)]


def _limit(value: int | float | PerLanguageLimit | None) -> int | float | PerLanguageLimit | None:
    if isinstance(value, int | float) and value <= 0:
        raise ValueError("Input should be greater than 0")
    if isinstance(value, float) and not value < 1 and not value.is_integer():
        raise ValueError("a limit is a count (an integer), a share of each task (0 < x < 1) or "
                         "{per_language: N, seed: S}")
    return value


class EvalConfig(Strict):
    """Evaluation through lm-eval."""

    tasks: list[str] = Field(default_factory=list, description="lm-eval task or group names (tasks/ or built-in).")
    limit: Annotated[Limit | None, AfterValidator(_limit)] = Field(
        None, description="Documents per task: a count (int), a share of each task (0 < x < 1: its first "
        "documents, as lm-eval's --limit), or a stratified sample `{per_language: N, seed: S}` (seeded, the same "
        "documents for every variant)."
    )
    gen_kwargs: dict[str, Any] = Field(
        default_factory=dict,
        description="Generation settings passed to lm-eval (e.g. max_gen_toks, repetition_penalty); "
        "they override the task's own.",
    )
    backend: str = Field("hf", description="Eval backend, a registered name (babelbench.evaluate.backends): "
                         "`hf` runs lm-eval's transformers model.")
    batch_size: int = Field(1, gt=0, description="Generation batch size.")
    dtype: Literal["float32", "auto", "bfloat16", "float16"] = Field(
        "float32", description="Weights' dtype for generation; `auto`: bfloat16 on a GPU that has it, else float32 "
        "(vllm: `auto` lets vLLM choose).")
    vllm: VLLMSettings = Field(default_factory=VLLMSettings, description="Settings of the `vllm` backend.")
    openai: ServedModel | None = Field(
        None, description="The served model of the `openai` backend (lm-eval's chat-completions model); the "
        "server's key, if it needs one, in the variable eval.openai.api_key_env names.")
    serve: ServeConfig | None = Field(
        None, description="Evaluate through a model server the harness starts once for all variants of a base "
        "model (`serve: vllm`); its settings in eval.vllm.")
    apply_chat_template: bool = Field(True, description="Format prompts with the model's chat template.")
    data_source: Literal["shipped", "hub", "local"] = Field(
        "shipped", description="Where the shipped tasks read their documents: `shipped` samples (offline), "
        "the full `hub` datasets (needs the network), or `local`: the datasets' published files in `data_dir` "
        "(offline; see babelbench.evaluate.local_data). Passed to lm-eval as task metadata.")
    data_dir: str | None = Field(
        None, description="data_source local: the folder of the dataset's published files (e.g. XQuAD's "
        "xquad.<lang>.json), relative to the recipe file or absolute. Its files' contents, not its path, are "
        "part of the eval key.")
    prompt_files: list[PromptFile] = Field(
        default_factory=list, description="Local prompt files, each evaluated as task `prompts_<name>`.")
    language_identifier: str = Field(
        "lingua", description="What the language-fidelity metrics identify languages with: `lingua` (bundled), "
        "or a fastText language-ID model file (lid.176.bin, GlotLID's model.bin), relative to the recipe file. "
        "Answers expected in a language it has no model of count as unsupported, not as wrong.")
    include_path: list[str] = Field(
        default_factory=list, description="Folders of your own lm-eval task YAMLs, relative to the recipe file; "
        "searched before `--tasks-dir` and the shipped tasks (a task name defined twice is an error).")

    @model_validator(mode="after")
    def _local_data(self) -> EvalConfig:
        if self.data_source == "local" and not self.data_dir:
            raise ValueError("data_source local needs data_dir (the folder of the dataset's published files)")
        if self.data_dir and self.data_source != "local":
            raise ValueError(f"data_dir is read only with data_source local (this one is {self.data_source!r})")
        return self


class SelectConfig(Strict):
    """Checkpoint selection on validation tasks: which kept checkpoint the variant reports."""

    tasks: list[str] = Field(default_factory=list, description="Validation tasks (any lm-eval task names).")
    prompt_files: list[PromptFile] = Field(default_factory=list, description="Validation prompt files "
                                           "(e.g. AlpacaEval prompts in several languages; no references needed).")
    metric: str = Field(..., description="What scores a checkpoint: an lm-eval metric of the validation tasks "
                        "(e.g. `contains`), or a judge metric `judge:<judge>/<facet>` (the judge must be in "
                        "`judges`).")
    judges: list[str] = Field(default_factory=list, description="Judges that grade the validation answers.")
    aggregate: Literal["mean", "worst"] | dict[LanguageCode, float] = Field(
        "mean", description="Across languages: `mean`, `worst` (the lowest language), or weights per language.")
    higher_is_better: bool = Field(True, description="Whether a larger score is better.")
    limit: int | float | None = Field(None, gt=0, description="Documents per validation task (as eval.limit).")

    @field_validator("aggregate")
    @classmethod
    def _weights(cls, value: str | dict[str, float]) -> str | dict[str, float]:
        if isinstance(value, dict):
            if any(not math.isfinite(w) or w < 0 for w in value.values()):
                raise ValueError("weights must be numbers >= 0")
            if not any(w > 0 for w in value.values()):
                raise ValueError("at least one weight must be > 0")
        return value

    @model_validator(mode="after")
    def _something_to_score(self) -> SelectConfig:
        if not self.tasks and not self.prompt_files:
            raise ValueError("select needs `tasks` or `prompt_files`")
        return self


class StageResources(Strict):
    """What one stage asks an executor for (Ray's resource request); the local executor ignores it."""

    cpus: float = Field(1, gt=0, description="CPU cores; torch in the stage uses this many threads.")
    gpus: float = Field(0, ge=0, description="GPUs (fractions share one GPU between stages).")


class Resources(Strict):
    """Per-stage resource requests for `harness run --executor ray`; they change no result (not in any key)."""

    data: StageResources = Field(default_factory=StageResources, description="The data stage.")
    train: StageResources = Field(default_factory=StageResources, description="The train stage (an accelerate "
                                  "launch takes `train.num_processes` of these).")
    eval: StageResources = Field(default_factory=StageResources, description="Evaluations (and checkpoint "
                                 "validation).")


class AlignmentConfig(Strict):
    """Layer-wise representation alignment (``analysis: [alignment]``, ``harness probe``): parallel sentences
    run through the variant's model, each layer mean-pooled over the sentences' own tokens, the pivot's
    sentences compared with each target language's (pair cosine, non-pair cosine, top-1 retrieval)."""

    source: str = Field(
        "flores", description="Parallel sentences: `flores` (the shipped FLORES-style samples, "
        "tasks/flores_gen/data), or a file relative to the recipe file -- JSON Lines/JSON/CSV/TSV/Parquet with "
        "rows {id, language, text} (parallel by id) or one column per language code (parallel by row) -- or a "
        "folder of such JSON Lines files.")
    languages: list[LanguageCode] = Field(
        default_factory=list, description="Target languages compared with the pivot (default: every language the "
        "source holds besides the pivot).")
    pivot: LanguageCode = Field("en", description="The language every target is compared with.")
    max_sentences: int | None = Field(None, gt=0, description="Use at most this many sentences (the first ids).")
    batch_size: int = Field(8, gt=0, description="Sentences per forward pass (changes no number).")
    max_length: int = Field(128, gt=0, description="Tokens per sentence; longer sentences are truncated.")
    dtype: Literal["float32", "bfloat16", "float16", "auto"] = Field(
        "float32", description="Weights' dtype for the forward passes; `auto`: bfloat16 on a GPU that has it.")
    device: Literal["cpu", "auto"] = Field("cpu", description="`auto`: the GPU where there is one (changes no key).")

    @model_validator(mode="after")
    def _pivot_apart(self) -> AlignmentConfig:
        if self.pivot in self.languages:
            raise FieldError("languages", f"the pivot {self.pivot!r} is compared with every target: leave it out of "
                                          "`languages`")
        if len(set(self.languages)) != len(self.languages):
            raise FieldError("languages", "a language is listed twice")
        return self


class Recipe(Strict):
    """A recipe file: how one or more model variants are built and evaluated."""

    name: str = Field(..., pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", description="Variant name (a slug).")
    description: str = Field("", description="Free text shown on the board.")
    extends: str | None = Field(None, description="Recipe file (relative to this one) to inherit from.")
    base_model: str = Field(
        "builtin:gemma-3-270m",
        description="`builtin:gemma-3-270m` (embedded), `builtin:tiny` (random, for tests), "
        "a local checkpoint folder, or a Hub model id.",
    )
    data: DataConfig | None = Field(None, description="Training data; required unless train.method is none.")
    pivot: PivotConfig = Field(default_factory=PivotConfig, description="PLUG settings.")
    train: TrainConfig = Field(default_factory=TrainConfig, description="Fine-tuning settings.")
    eval: EvalConfig = Field(..., description="Evaluation settings.")
    judges: list[str] = Field(
        default_factory=list,
        description="Judges (folders under judges/) that grade the stored answers after evaluation.",
    )
    judge: RecipeJudging = Field(default_factory=RecipeJudging, description="Settings for the listed judges.")
    select: SelectConfig | None = Field(
        None, description="Choose the reported checkpoint among `train.checkpoints` by validation scores.")
    analysis: list[Literal["alignment"]] = Field(
        default_factory=list, description="Analyses run on the evaluated model: `alignment` (layer-wise "
        "representation alignment of parallel sentences, settings in `alignment`).")
    alignment: AlignmentConfig = Field(default_factory=AlignmentConfig,
                                       description="Settings of the `alignment` analysis (and `harness probe`).")
    resources: Resources = Field(default_factory=Resources,
                                 description="What each stage asks for under `harness run --executor ray`.")
    variants: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="Named variants: suffix -> {dotted.field: value} overrides; one variant each.",
    )
    sweep: dict[str, list[Any]] = Field(
        default_factory=dict,
        description="dotted.field -> list of values; one variant per combination (times `variants`).",
    )

    @model_validator(mode="after")
    def _something_to_evaluate(self) -> Recipe:
        if not self.eval.tasks and not self.eval.prompt_files:
            raise FieldError("eval", "eval needs `tasks` or `prompt_files`")
        return self

    @model_validator(mode="after")
    def _selection_needs_checkpoints(self) -> Recipe:
        if self.select is not None and (self.train.method == TrainMethod.NONE or not self.train.checkpoints):
            raise FieldError("select", "`select` chooses among kept checkpoints: set train.checkpoints (and a training "
                                       "method)")
        return self

    @model_validator(mode="after")
    def _data_needed(self) -> Recipe:
        if self.train.method != TrainMethod.NONE and self.data is None:
            raise FieldError("train.method", "`data` is required unless train.method is none")
        return self


class Variant(Strict):
    """A recipe after extends, overrides and expansion: what the pipeline runs."""

    name: str
    recipe_file: str
    base_model: str
    data: DataConfig | None
    pivot: PivotConfig
    train: TrainConfig
    eval: EvalConfig
    judges: list[str] = Field(default_factory=list)
    judge: RecipeJudging = Field(default_factory=RecipeJudging)
    select: SelectConfig | None = None
    analysis: list[Literal["alignment"]] = Field(default_factory=list)
    alignment: AlignmentConfig = Field(default_factory=AlignmentConfig)
    resources: Resources = Field(default_factory=Resources)
    #: The expanded choices that made this variant (dotted field -> value).
    choices: dict[str, Any] = Field(default_factory=dict)
