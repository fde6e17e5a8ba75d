"""Every public instruction-data shape in tests/data/formats reads into the expected chat messages:
named formats, `format: auto`, column mappings with dotted paths and role maps, CSV/TSV/Parquet, a
Hub-style dataset folder through `datasets`, and LIMA's own published file when it is present."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from babelbench.data.sources import SourceError, read_source
from babelbench.recipe.schema import Source

FORMATS = Path(__file__).resolve().parents[2] / "data" / "formats"
LIMA = Path(__file__).resolve().parents[4] / "shared" / "data" / "lima-en" / "lima.en.jsonl"


def user(text: str) -> dict[str, str]:
    return {"role": "user", "content": text}


def bot(text: str) -> dict[str, str]:
    return {"role": "assistant", "content": text}


def system(text: str) -> dict[str, str]:
    return {"role": "system", "content": text}


def read(path: str | Path, language: str = "en", **settings) -> list[tuple[str, list[dict[str, str]]]]:
    source = Source.model_validate({"path": str(path), "language": language, **settings})
    return [(ex.id, ex.messages) for ex in read_source(source, FORMATS)]


CASES = {
    "alpaca": ("alpaca.jsonl", {"format": "alpaca"}, [
        ("0", [user("Give three tips for staying healthy."), bot("1. Eat a balanced diet.\n2. Exercise regularly.\n3. Sleep enough.")]),
        ("1", [user("Translate the sentence into French.\n\nThe cat is black."), bot("Le chat est noir.")])]),
    "bactrian-x": ("bactrian-x.de.json", {"format": "bactrian-x"}, [
        ("alpaca-7", [user("Nenne drei Primärfarben."), bot("Rot, Blau und Gelb.")]),
        ("alpaca-9", [user("Fasse den Text zusammen.\n\nDer Hund bellt laut."), bot("Ein Hund bellt.")])]),
    "dolly": ("dolly.jsonl", {"format": "dolly"}, [
        ("0", [user("When did Virgin Australia start operating?\n\nVirgin Australia commenced services on 31 August "
                    "2000 as Virgin Blue."), bot("Virgin Australia started on 31 August 2000.")]),
        ("1", [user("Which is a species of fish? Tope or Rope"), bot("Tope")])]),
    "aya": ("aya.yo.jsonl", {"format": "aya"}, [
        ("0", [user("Kí ni olú-ìlú Nàìjíríà?"), bot("Abuja ni olú-ìlú Nàìjíríà.")]),
        ("1", [user("Ṣé àlàyé ohun tí oòrùn jẹ́."), bot("Oòrùn jẹ́ ìràwọ̀ tó wà ní àárín ètò oòrùn wa.")])]),
    "sharegpt": ("sharegpt.fr.json", {"format": "sharegpt"}, [
        ("sg1", [system("Réponds brièvement."), user("Quelle est la capitale de l'Italie ?"), bot("Rome.")]),
        ("sg2", [user("Bonjour !"), bot("Bonjour, comment puis-je aider ?"), user("Compte jusqu'à trois."),
                 bot("Un, deux, trois.")])]),
    "messages": ("messages.es.jsonl", {"format": "messages"}, [
        ("m1", [user("¿Cuánto es dos más dos?"), bot("Cuatro.")])]),
    "lima": ("lima.jsonl", {"format": "conversations_list"}, [
        ("0", [user("Can brain cells move?"), bot("Yes, some neurons migrate during development.")]),
        # the trailing question nobody answered is dropped
        ("1", [user("Write a haiku about rain."), bot("Soft rain on the roof"), user("Now one about snow."),
               bot("White hush on the pines")])]),
    "oasst": ("oasst.jsonl", {"format": "oasst"}, [  # the best-ranked reply (rank 0) at each turn
        ("t1", [user("¿Qué es un agujero negro?"), bot("Una región del espacio de la que nada escapa."),
                user("¿Ni la luz?"), bot("Ni siquiera la luz.")])]),
    "csv-mapped": ("qa.zh.csv", {"fields": {"prompt": "question", "response": "answer", "id": "编号"}}, [
        ("q1", [user("天空是什么颜色？"), bot("蓝色。")]),
        ("q2", [user("一加一等于几？"), bot("二，\n也就是 2。")])]),
    "tsv-mapped": ("qa.ko.tsv", {"fields": {"prompt": "prompt", "response": "completion"}}, [
        ("k1", [user("안녕하세요?"), bot("안녕하세요! 무엇을 도와드릴까요?")])]),
    "nested-paths": ("nested.jsonl", {"fields": {"prompt": "meta.question", "response": "answers.0.text",
                                                 "system": "meta.system", "id": "uid"}}, [
        ("17", [system("Answer with a number."), user("What is 3 x 3?"), bot("9")])]),
    "role-map": ("roles.jsonl", {"fields": {"messages": "dialog", "role": "speaker", "content": "text"},
                                 "roles": {"kunde": "user", "agent": "assistant"}}, [
        ("0", [user("Hallo?"), bot("Guten Tag!")])]),
    "format-plus-field": ("dolly.jsonl", {"format": "dolly", "fields": {"input": "category"}}, [
        ("0", [user("When did Virgin Australia start operating?\n\nclosed_qa"),
               bot("Virgin Australia started on 31 August 2000.")]),
        ("1", [user("Which is a species of fish? Tope or Rope\n\nclassification"), bot("Tope")])]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_public_shape_reads_into_these_messages(case):
    name, settings, expected = CASES[case]
    assert read(FORMATS / name, **settings) == expected


@pytest.mark.parametrize("case", ["alpaca", "dolly", "aya", "sharegpt", "messages", "lima", "oasst"])
def test_auto_detects_the_same_shape(case):
    name, _, expected = CASES[case]
    assert read(FORMATS / name) == expected


def test_parquet_reads_like_the_csv_it_was_written_from(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    with (FORMATS / "qa.zh.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "qa.parquet")
    fields = {"prompt": "question", "response": "answer", "id": "编号"}
    assert read(tmp_path / "qa.parquet", fields=fields) == CASES["csv-mapped"][2]


def test_a_hub_dataset_goes_through_datasets_with_the_same_mapping(tmp_path, monkeypatch):
    # `datasets.load_dataset` on a dataset folder (as a Hub repo is laid out), offline
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    folder = tmp_path / "dolly-repo"
    folder.mkdir()
    shutil.copy(FORMATS / "dolly.jsonl", folder / "train.jsonl")
    source = Source.model_validate({"hub": str(folder), "language": "en", "format": "dolly"})
    assert [(ex.id, ex.messages) for ex in read_source(source, tmp_path)] == CASES["dolly"][2]


@pytest.mark.skipif(not LIMA.is_file(), reason="../shared/data/lima-en is not here")
def test_limas_own_file_reads_without_conversion():
    examples = read(LIMA)
    assert len(examples) == 1030
    first = json.loads(LIMA.read_text(encoding="utf-8").splitlines()[0])["conversations"]
    assert examples[0] == ("0", [user(first[0]), bot(first[1])])
    assert all(messages[-1]["role"] == "assistant" for _, messages in examples)


@pytest.mark.parametrize(("name", "text", "settings", "problem"), [
    ("a.csv", "question,answer\nhi,\n", {"fields": {"prompt": "question", "response": "answer"}},
     "a.csv: row 1: response: empty text at 'answer'"),
    ("b.csv", "question,answer\nhi,there,extra\n", {"fields": {"prompt": "question", "response": "answer"}},
     "b.csv: row 1: 3 values for 2 columns (question, answer)"),
    ("c.jsonl", '{"q": "hi", "a": 3}\n', {"fields": {"prompt": "q", "response": "a"}},
     "c.jsonl:1: response: expected text at 'a', got a number"),
    ("d.jsonl", '{"q": "hi"}\n', {"fields": {"prompt": "q", "response": "a"}},
     "d.jsonl:1: response: no value at 'a' (the row has keys q)"),
    ("e.jsonl", '{"turns": [{"who": "me", "t": "hi"}]}\n', {"fields": {"messages": "turns", "role": "who", "content": "t"}},
     "e.jsonl:1: roles: turn 1: role 'me' at 'who'; map it with `roles`"),
    ("f.parquet", b"PAR1 this is not parquet", {"fields": {"prompt": "q", "response": "a"}},
     "f.parquet: not a readable Parquet file"),
    ("g.txt", "hello", {}, "g.txt: cannot tell the file format from the suffix '.txt': set `file_format`"),
    ("h.jsonl", b'{"instruction": "caf\xe9", "output": "x"}\n', {}, "h.jsonl:1: not UTF-8 text (byte 20, line 1); re-save the file as UTF-8"),
    ("i.json", '{"rows": []}', {}, 'i.json: expected a list of rows, or an object with a list of rows under "data"'),
])
def test_a_row_that_does_not_fit_names_file_row_and_field(tmp_path, name, text, settings, problem):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    source = Source.model_validate({"path": str(path), "language": "en", **settings})
    with pytest.raises(SourceError) as info:
        read_source(source, tmp_path)
    assert str(info.value).startswith(f"{path}{problem[len(name):]}")
