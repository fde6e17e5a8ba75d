"""Offline, a recipe with flores_gen tasks and no spBLEU SentencePiece model is refused before any work
(it used to train every variant and fail each evaluation)."""

from __future__ import annotations

import textwrap

from tests.conftest import SAMPLES
from tests.integration._harness import harness


def test_offline_flores_without_the_spbleu_model_is_refused_before_any_work(tmp_path, monkeypatch, tiny_model):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    import sacrebleu.utils

    monkeypatch.setattr(sacrebleu.utils, "SACREBLEU_DIR", str(tmp_path / "no-sacrebleu"))
    recipe = tmp_path / "r.yaml"
    recipe.write_text(textwrap.dedent(f"""\
        name: fl
        base_model: builtin:tiny
        data: {{sources: [{{path: {SAMPLES}/instructions.en.jsonl, language: en}}], mix: {{en: 1.0}}, size: 4}}
        train: {{method: lora, max_steps: 1}}
        eval:
          tasks: [flores_gen_en_zh]
        """), encoding="utf-8")
    store = tmp_path / "results.duckdb"
    code, out = harness("run", recipe, "--store", store)
    assert code == 1
    model = tmp_path / "no-sacrebleu" / "models" / "flores200sacrebleuspm"
    assert f"{recipe}:6: eval.tasks: flores_gen's spBLEU needs sacrebleu's flores200 SentencePiece model at {model}" \
        in " ".join(out.split())
    assert not store.exists()
    # with the model in place the same recipe is accepted (validation only: --only data does no evaluation)
    monkeypatch.setattr(sacrebleu.utils, "SACREBLEU_DIR", str(tmp_path / "sacrebleu"))
    (tmp_path / "sacrebleu" / "models").mkdir(parents=True)
    (tmp_path / "sacrebleu" / "models" / "flores200sacrebleuspm").write_bytes(b"x")
    code, out = harness("run", recipe, "--store", store, "--only", "data")
    assert code == 0, out
