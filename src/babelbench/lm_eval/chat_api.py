"""lm-eval's chat-completions model for the ``openai`` eval backend, sending a key only where it belongs.

lm-eval's ``local-chat-completions`` sends ``$OPENAI_API_KEY`` as a bearer token to whatever ``base_url``
names. This model sends the key of the environment variable ``api_key_env`` (a model argument: the
variable's name, never its value, so lm-eval's logged and stored config holds no secret), and no
``Authorization`` header at all without one. Which variable an endpoint may get is decided before
(:func:`babelbench.core.api_keys.endpoint_key_plan`, by the backend).
"""

from __future__ import annotations

import os
from functools import cached_property

import lm_eval.models  # noqa: F401  (lm-eval fills its model registry only while empty: fill it first)
from lm_eval.api.registry import register_model
from lm_eval.models.openai_completions import LocalChatCompletion

MODEL_NAME = "babelbench-chat-completions"


@register_model(MODEL_NAME)
class PairedKeyChatCompletion(LocalChatCompletion):
    """``local-chat-completions`` with the key of ``api_key_env`` only (none: no Authorization header)."""

    def __init__(self, *args, api_key_env: str | None = None, **kwargs) -> None:
        self._key_env = api_key_env or None
        super().__init__(*args, **kwargs)

    @cached_property
    def api_key(self) -> str:
        return os.environ.get(self._key_env, "") if self._key_env else ""

    @cached_property
    def header(self) -> dict:
        return {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
