"""`harness fit`'s settings: what is fitted (:class:`FitSettings`), how a budget is allocated
(:class:`BudgetSettings`), and the command line's per-language options."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

if TYPE_CHECKING:
    pass



LANG_SLOT = "{lang}"
#: Points on the stored curve (its grid runs from 0 to twice the largest fitted size).
CURVE_POINTS = 61
SIZE_KEY = "data.translation.size"



class FitError(ValueError):
    """Input `harness fit` cannot use: one line naming the option, the language or the file."""


class FitSettings(BaseModel):
    """What is fitted: which task's metric, which laws, and how the bootstrap runs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    task: str = Field("flores_gen_en_{lang}", description="Task name pattern; {lang} is each language.")
    metric: str = Field("chrf", description="The metric fitted (as stored: `chrf`, `bleu`, ...).")
    filter: str = Field("none", description="The metric's filter (`none`; `plug` for PLUG variants).")
    languages: tuple[str, ...] = Field((), description="Languages fitted (default: every language with points).")
    laws: tuple[str, ...] = Field((), description="Law families tried (default: every registered law).")
    rounds: int = Field(1000, ge=1, description="Bootstrap rounds.")
    seed: int = Field(0, description="Bootstrap seed.")
    level: float = Field(0.95, gt=0, lt=1, description="Interval level.")

    @field_validator("task")
    @classmethod
    def _has_slot(cls, value: str) -> str:
        if LANG_SLOT not in value:
            raise ValueError(f"must contain {LANG_SLOT} (e.g. flores_gen_en_{LANG_SLOT})")
        return value

    @field_validator("laws")
    @classmethod
    def _known_laws(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        from ...analysis.scaling import LAWS

        for name in value:
            LAWS.get(name)   # raises naming the known laws
        return value

    def identity(self) -> dict[str, Any]:
        """The settings that change the fit (the languages are in the points)."""
        from ...analysis.scaling import LAWS

        return {"task": self.task, "metric": self.metric, "filter": self.filter,
                "laws": sorted(self.laws or LAWS.names()), "rounds": self.rounds, "seed": self.seed,
                "level": self.level}


class BudgetSettings(BaseModel):
    """How a budget is allocated: its size, floors, caps and weights (a value for every language and/or
    per language: the language's own wins), and the step."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    budget: int = Field(..., ge=0, description="Translation examples to allocate across the languages.")
    floor: int = Field(0, ge=0, description="Least size of every language.")
    floors: dict[str, int] = Field(default_factory=dict, description="Least size per language.")
    cap: int | None = Field(None, ge=0, description="Largest size of every language (default: none).")
    caps: dict[str, int] = Field(default_factory=dict, description="Largest size per language.")
    weights: dict[str, float] = Field(default_factory=dict, description="Weight of a language's quality "
                                      "(default 1).")
    step: int = Field(10, ge=1, description="Sizes move in steps of this many examples.")

    def resolved(self, languages: Sequence[str]) -> dict[str, Any]:
        """Floors, caps and weights per language (the allocation's stored settings, its identity)."""
        return {"floors": resolve(self.floor, self.floors, languages),
                "caps": resolve(self.cap, self.caps, languages),
                "weights": resolve(1.0, self.weights, languages), "step": self.step}


def settings_or_error(model: type[BaseModel], options: Mapping[str, str], **values: Any) -> Any:
    """``model(**values)``, or a :class:`FitError` naming the command-line option (``options``: field ->
    option) of the first problem."""
    try:
        return model(**values)
    except ValidationError as exc:
        err = exc.errors()[0]
        name = str(err["loc"][0]) if err["loc"] else ""
        message = err["msg"].removeprefix("Value error, ")
        raise FitError(f"{options.get(name, name)}: {message}") from None


def per_language(values: Sequence[str], option: str, kind: type = int) -> tuple[Any | None, dict[str, Any]]:
    """``["50", "zh=100"]`` -> (50, {"zh": 100}): a global value and per-language ones (comma-separated
    items allowed); the last global value wins."""
    everyone: Any | None = None
    table: dict[str, Any] = {}
    for item in (part.strip() for value in values for part in value.split(",")):
        if not item:
            continue
        lang, _, number = item.rpartition("=")
        try:
            parsed = kind(number.strip())
        except ValueError:
            what = "a whole number" if kind is int else "a number"
            raise FitError(f"{option} {item}: {number.strip()!r} is not {what} (give N or lang=N)") from None
        if lang:
            table[lang.strip()] = parsed
        else:
            everyone = parsed
    return everyone, table


def resolve(everyone: Any | None, table: Mapping[str, Any], languages: Sequence[str]) -> dict[str, Any]:
    """Per-language values over ``languages``: the language's own, else the global one (if any). A language
    in ``table`` that is not in ``languages`` is kept (the allocation refuses it by name)."""
    out = {lang: everyone for lang in languages if everyone is not None}
    out.update(table)
    return out
