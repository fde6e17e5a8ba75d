"""lm-eval's own command line with a ``babelbench`` model: ``python -m babelbench.lm_eval --model babelbench
--model_args variant=demo@plug[,store=results.duckdb][,backend=hf] --tasks ...``.

lm-eval 0.4 discovers no model plugins, so this module registers the model and then hands the command
line to lm-eval unchanged. The model resolves the variant from the store (see
:mod:`babelbench.services.variant_weights`) and returns lm-eval's own model for its backend (``hf`` by
default), so evaluation is lm-eval's, not a copy of it. Other ``--model_args`` pass through to it.
"""

from __future__ import annotations

from typing import Any

import lm_eval.models  # noqa: F401  (lm-eval fills its model registry only while empty: fill it first)
from lm_eval.api.model import LM
from lm_eval.api.registry import get_model, register_model
from lm_eval.utils import simple_parse_args_string

from .. import paths
from . import chat_api  # noqa: F401  (registers babelbench-chat-completions, the openai backend's model)


@register_model("babelbench")
class BabelbenchModel(LM):
    """Never instantiated: :meth:`create_from_arg_string` returns the backend's own lm-eval model."""

    @classmethod
    def create_from_arg_string(cls, arg_string: str, additional_config: dict[str, Any] | None = None) -> LM:
        return cls.create_from_arg_obj(simple_parse_args_string(arg_string), additional_config)

    @classmethod
    def create_from_arg_obj(cls, arg_dict: dict[str, Any], additional_config: dict[str, Any] | None = None) -> LM:
        from ..services.variant_weights import resolve_variant

        args = dict(arg_dict)
        if "variant" not in args:
            raise SystemExit("error: --model babelbench needs --model_args variant=NAME[,store=PATH][,backend=hf]")
        name = str(args.pop("variant"))
        store = args.pop("store", str(paths.DEFAULT_STORE))
        backend = str(args.pop("backend", "hf"))
        try:
            model, model_args = resolve_variant(store, name).lm_eval_args(backend)
        except ValueError as exc:  # an unknown or untrained variant: one line
            raise SystemExit(f"error: {exc}") from None
        extra = {k: v for k, v in (additional_config or {}).items() if v is not None}
        return get_model(model)(**{**model_args, **args, **extra})
