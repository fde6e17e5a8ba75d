"""validate.recipes with the stages `harness run` is about to run: what each stage needs from the Hub
(a network matter: HubUnreachable, exit 1), asked only for the stages that need it."""

from __future__ import annotations

import pytest

from babelbench import validate
from babelbench.core.errors import ConfigError

RECIPE = """\
name: h
base_model: org/not-in-the-cache
train: {method: none}
eval:
  tasks: [flores_gen_en_zh]
"""


@pytest.fixture
def offline(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    sacrebleu_utils = pytest.importorskip("sacrebleu.utils")
    monkeypatch.setattr(sacrebleu_utils, "SACREBLEU_DIR", str(tmp_path / "no-sacrebleu"))


def test_the_hub_is_asked_only_for_the_stages_that_need_it(tmp_path, offline):
    path = tmp_path / "r.yaml"
    path.write_text(RECIPE, encoding="utf-8")
    assert [v.name for v in validate.recipes([path])] == ["h"]                 # `harness validate`: no Hub
    assert [v.name for v in validate.recipes([path], stages=["judge"])] == ["h"]
    with pytest.raises(validate.HubUnreachable) as info:
        validate.recipes([path], stages=["train"])
    assert [p.field for p in info.value.problems] == ["base_model"]
    with pytest.raises(validate.HubUnreachable) as info:
        validate.recipes([path], stages=validate.STAGES)
    assert [(p.line, p.field) for p in info.value.problems] == [(5, "eval.tasks"), (2, "base_model")]
    assert isinstance(info.value, ConfigError)
