"""A scripted model for tests: answers each request with a response written in advance.

Like inspect_ai's mock provider, it lets an integration test decide exactly what the "model"
says, so the numbers the harness stores can be checked against values worked out by hand
(rather than recomputed, with the same metric functions, on the noise of ``builtin:tiny``).

Importing this module registers two things:

* the lm-eval model ``scripted`` (lm-eval's own registry): each ``generate_until`` request is
  answered with ``script["<task name>/<doc_id>"]``, read from the JSON file given as the model
  argument ``script=/path.json``; a request with no entry gets the empty string.
  ``loglikelihood*`` are not scripted (NotImplementedError). A trivial chat template is
  provided, so ``eval.apply_chat_template: true`` works too.
* the babelbench eval backend ``scripted`` (``eval.backend: scripted`` in a recipe), whose
  model argument is the script named by the environment variable :data:`SCRIPT_ENV` (set by
  the test, e.g. with ``monkeypatch.setenv``), or else by :data:`script_path`.

Use :func:`write_script` to write a script from a ``{(task, doc_id): response}`` mapping.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

# lm-eval imports its own models only when its model registry is empty (get_model's lazy
# initialisation); registering ours first would hide ``hf`` from every later evaluation in this
# process. Import them first, so both kinds stay available.
import lm_eval.models  # noqa: F401
from lm_eval.api.model import LM
from lm_eval.api.registry import register_model

from babelbench.evaluate.backends import EvalBackend, register_eval_backend

#: Environment variable naming the script file the ``scripted`` eval backend passes on.
SCRIPT_ENV = "BABELBENCH_TEST_SCRIPT"
#: Fallback when the environment variable is not set.
script_path: str | None = None

#: Every request the model answered, in order: (task name, doc_id, prompt, response).
ANSWERED: list[tuple[str | None, int | None, str, str]] = []


def script_key(task: str, doc_id: int) -> str:
    return f"{task}/{doc_id}"


def write_script(path: Path, answers: dict[tuple[str, int], str]) -> Path:
    """Write ``{(task, doc_id): response}`` as the JSON script the model reads."""
    path.write_text(json.dumps({script_key(t, d): r for (t, d), r in answers.items()}, ensure_ascii=False, indent=1),
                    encoding="utf-8")
    return path


@register_model("scripted")
class ScriptedLM(LM):
    """An lm-eval model whose answers are looked up by (task name, doc_id)."""

    def __init__(self, script: str | None = None, **_: Any) -> None:  # batch_size, device, ... ignored
        super().__init__()
        if not script:
            raise ValueError("the scripted model needs model_args script=/path/to/script.json")
        self.script_file = str(script)
        self.script: dict[str, str] = json.loads(Path(script).read_text(encoding="utf-8"))
        if not isinstance(self.script, dict) or not all(isinstance(v, str) for v in self.script.values()):
            raise ValueError(f"{script}: a script maps 'task/doc_id' to a response string")

    def generate_until(self, requests, disable_tqdm: bool = False) -> list[str]:
        out = []
        for request in requests:
            response = self.script.get(script_key(str(request.task_name), int(request.doc_id)), "")
            ANSWERED.append((request.task_name, request.doc_id, str(request.args[0]), response))
            out.append(response)
        return out

    def loglikelihood(self, requests, disable_tqdm: bool = False):
        raise NotImplementedError("the scripted model only answers generate_until requests")

    def loglikelihood_rolling(self, requests, disable_tqdm: bool = False):
        raise NotImplementedError("the scripted model only answers generate_until requests")

    # --- what lm-eval needs with apply_chat_template=True ---------------------------------

    @property
    def tokenizer_name(self) -> str:
        return "scripted"

    def chat_template(self, chat_template: bool | str = False) -> str | None:
        return "{% for m in messages %}{{ m.role }}: {{ m.content }}\n{% endfor %}"

    def apply_chat_template(self, chat_history: list[dict[str, str]], add_generation_prompt: bool = True) -> str:
        text = "".join(f"{m['role']}: {m['content']}\n" for m in chat_history)
        return text + ("assistant: " if add_generation_prompt else "")


@register_eval_backend("scripted")
class ScriptedBackend(EvalBackend):
    """``eval.backend: scripted``: the base model and adapter are ignored; the script answers."""

    lm_eval_model = "scripted"

    def model_args(self, base_path: str, adapter_path: str | None, variant: Any = None) -> dict[str, Any]:
        path = os.environ.get(SCRIPT_ENV) or script_path
        if not path:
            raise RuntimeError(f"the scripted eval backend needs a script: set ${SCRIPT_ENV} "
                               "(or tests.support.scripted_model.script_path)")
        return {"script": str(path)}
