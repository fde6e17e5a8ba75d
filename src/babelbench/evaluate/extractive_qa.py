"""Shared loading and scoring of the generative extractive-QA tasks (``xquad_gen``, ``mlqa_gen``).

Each task folder's ``utils.py`` names its shipped sample, its Hub dataset and its official scorer;
the rest is here. Metrics of every document:

* ``exact_match``, ``f1`` -- the dataset's official script (:mod:`babelbench.evaluate.official_qa`):
  SQuAD v1.1 for XQuAD, MLQA v1 for MLQA; comparable with published numbers.
* ``exact_match_lenient``, ``f1_lenient``, ``contains`` -- babelbench's kinder multilingual
  normalisation (:mod:`babelbench.evaluate.metrics`: NFKC, Unicode punctuation and symbols, CJK
  characters as tokens in every language).
* ``xllm_match`` -- x-LLM's own QA metric (the first gold, lower-cased, a substring of the lower-cased
  answer; :func:`babelbench.evaluate.metrics.xllm_match`), so an x-LLM reproduction can quote the paper's.
* ``language_fidelity`` -- whether the answer is in the document's language.

Documents come from ``data_source``: ``shipped`` (the task folder's sample), ``hub`` (``datasets``, network)
or ``local`` (the dataset's published files in ``data_dir``: :mod:`babelbench.evaluate.local_data`).

A document's ``language`` is the language of its context and so of its answer; a cross-language
MLQA document also carries its ``question_language``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import local_data
from .metrics import language_fidelity, qa_scores, xllm_match
from .official_qa import official_scores

#: Each language's instruction and field labels, written in that language (the task YAMLs are
#: generated from this table by ``tasks/xquad_gen/_generate.py`` and ``tasks/mlqa_gen/_generate.py``).
#: (instruction, context label, question label, label separator)
PROMPTS: dict[str, tuple[str, str, str, str]] = {
    "ar": ("أجب عن السؤال باستخدام السياق. أجب بإجابة قصيرة مأخوذة من السياق.", "السياق", "السؤال", ": "),
    "de": ("Beantworte die Frage anhand des Kontexts. Antworte kurz mit einer Angabe aus dem Kontext.",
           "Kontext", "Frage", ": "),
    "el": ("Απάντησε στην ερώτηση χρησιμοποιώντας το κείμενο. Δώσε μια σύντομη απάντηση από το κείμενο.",
           "Κείμενο", "Ερώτηση", ": "),
    "en": ("Answer the question using the context. Reply with a short answer taken from the context.",
           "Context", "Question", ": "),
    "es": ("Responde a la pregunta usando el contexto. Da una respuesta breve tomada del contexto.",
           "Contexto", "Pregunta", ": "),
    "hi": ("संदर्भ का उपयोग करके प्रश्न का उत्तर दें। संदर्भ से लिया गया छोटा उत्तर दें।", "संदर्भ", "प्रश्न", ": "),
    "ro": ("Răspunde la întrebare folosind contextul. Dă un răspuns scurt preluat din context.",
           "Context", "Întrebare", ": "),
    "ru": ("Ответь на вопрос, используя контекст. Дай краткий ответ, взятый из контекста.",
           "Контекст", "Вопрос", ": "),
    "th": ("ตอบคำถามโดยใช้บริบท ตอบสั้น ๆ ด้วยข้อความที่นำมาจากบริบท", "บริบท", "คำถาม", ": "),
    "tr": ("Soruyu bağlamı kullanarak yanıtla. Bağlamdan alınmış kısa bir yanıt ver.", "Bağlam", "Soru", ": "),
    "vi": ("Trả lời câu hỏi dựa vào ngữ cảnh. Hãy trả lời ngắn gọn bằng một đoạn lấy từ ngữ cảnh.",
           "Ngữ cảnh", "Câu hỏi", ": "),
    "zh": ("根据上下文回答问题。请用上下文中的简短答案回答。", "上下文", "问题", "："),
}


def prompt_template(language: str) -> str:
    """The Jinja ``doc_to_text`` of a task whose instruction (and question) is in ``language``."""
    instruction, context, question, sep = PROMPTS[language]
    return f"{instruction}\n\n{context}{sep}{{{{context}}}}\n\n{question}{sep}{{{{question}}}}"


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """The rows of a shipped sample; a bad row is named by file and row."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}: row {number}: not JSON ({exc.msg})") from None
        if not isinstance(row, dict):
            raise ValueError(f"{path}: row {number}: a row must be a JSON object")
        rows.append(row)
    return rows


def _hub_rows(rows: Any, language: str, question_language: str | None = None) -> list[dict[str, Any]]:
    extra = {"question_language": question_language} if question_language else {}
    return [{"id": r["id"], "language": language, **extra, "context": r["context"], "question": r["question"],
             "answers": list(r["answers"]["text"])} for r in rows]


def _dataset(rows: list[dict[str, Any]]):
    import datasets

    return {"test": datasets.Dataset.from_list(rows)}


def _check_source(data_source: str) -> None:
    if data_source not in ("shipped", "hub", "local"):
        raise ValueError(f"data_source must be 'shipped', 'hub' or 'local', not {data_source!r}")


def local_rows(layout: str, metadata: dict[str, Any], kwargs: dict[str, str]) -> list[dict[str, Any]]:
    """The questions of the one published SQuAD-format file a task reads (``data_source: local``)."""
    (path,) = local_data.task_files(layout, local_data.data_dir_of(metadata), kwargs)
    return local_data.squad_rows(local_data.require(path, layout))


def load(data_file: Path, hub: Callable[[], Any], language: str, data_source: str,
         local: Callable[[], list[dict[str, Any]]] | None = None):
    """The task's ``test`` split from the shipped sample, the Hub, or the published file on disk
    (``local``: its SQuAD-format rows, see :func:`local_rows`)."""
    _check_source(data_source)
    if data_source == "hub":
        return _dataset(_hub_rows(hub(), language))
    if data_source == "local":
        assert local is not None, "this task has no local data layout"
        return _dataset([{**row, "language": language} for row in local()])
    return _dataset(read_jsonl(data_file))


def load_pair(context_file: Path, question_file: Path, hub: Callable[[], Any], context_language: str,
              question_language: str, data_source: str, local: Callable[[], list[dict[str, Any]]] | None = None):
    """A cross-language ``test`` split: contexts (and gold answers) in ``context_language``, questions in
    ``question_language``. Shipped: the two parallel samples joined on ``id``. Hub: the dataset's own
    cross-language configuration. Local: the dataset's own cross-language file."""
    _check_source(data_source)
    if data_source == "hub":
        return _dataset(_hub_rows(hub(), context_language, question_language))
    if data_source == "local":
        assert local is not None, "this task has no local data layout"
        return _dataset([{"id": r["id"], "language": context_language, "question_language": question_language,
                          "context": r["context"], "question": r["question"], "answers": r["answers"]}
                         for r in local()])
    questions = {row.get("id"): row for row in read_jsonl(question_file)}
    rows = []
    for number, row in enumerate(read_jsonl(context_file), 1):
        match = questions.get(row.get("id"))
        if match is None:
            raise ValueError(f"{context_file}: row {number}: id {row.get('id')!r} has no question in {question_file}")
        rows.append({**row, "language": context_language, "question_language": question_language,
                     "question": match["question"]})
    return _dataset(rows)


def process_results(doc: dict, results: list[str], scorer: str) -> dict[str, float]:
    """One document's metrics: ``scorer``'s official exact match and F1, the lenient ones, fidelity."""
    answer = results[0].strip()
    golds, language = doc["answers"], doc["language"]
    lenient = qa_scores(answer, golds, language)
    return {**official_scores(scorer, answer, golds, language),
            "exact_match_lenient": lenient["exact_match"], "f1_lenient": lenient["f1"],
            "contains": lenient["contains"], "xllm_match": xllm_match(results[0], golds),
            "language_fidelity": language_fidelity(answer, language)}
