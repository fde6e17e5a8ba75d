"""Bad instruction data, for the bad-input corpus (:mod:`tests.integration.test_bad_input_corpus`):
data files that do not fit their format or column mapping, broken file formats, language codes and
PLUG labels, sizes the sources cannot fill. Messages name the data file with its line (JSON Lines)
or row (JSON, CSV, TSV, Parquet) and the field; recipe settings are named at their recipe line."""

from __future__ import annotations

import json

from tests.integration.test_bad_input_corpus import Case

RECIPE = """\
name: bad
base_model: builtin:tiny
data:
  sources:
    - {SOURCE}
  mix: {MIX}
  size: 2
train: {method: lora, max_steps: 1, batch_size: 2, max_length: 64}
eval:
  prompt_files: [{path: p.jsonl, language: en}]
"""
PROMPTS = '{"instruction": "Say hi."}\n'


def recipe(source: str, mix: str = "{en: 1.0}", extra: str = "") -> str:
    return RECIPE.replace("{SOURCE}", source).replace("{MIX}", mix) + extra


def rows(*items: object) -> str:
    return "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items)


GOOD = {"instruction": "Say hi.", "output": "Hi."}


def data_case(id: str, source: str, files: dict[str, str | bytes], expected: str, mix: str = "{en: 1.0}",
              extra: str = "") -> Case:
    return Case(id, {"recipe.yaml": recipe(source, mix, extra), "p.jsonl": PROMPTS, **files}, ("recipe.yaml",),
                expected)


DATA_CASES: list[Case] = [
    data_case("data-jsonl-not-json", "{path: d.jsonl, language: en}", {"d.jsonl": rows(GOOD) + '{"instruction": \n'},
              "d.jsonl:2: not valid JSON: Expecting value (column 17)"),
    data_case("data-jsonl-array-row", "{path: d.jsonl, language: en}", {"d.jsonl": rows(GOOD, ["a", "b"])},
              "d.jsonl:2: expected a JSON object, got a JSON array"),
    data_case("data-not-utf8", "{path: d.jsonl, language: en}", {"d.jsonl": rows(GOOD).encode() + b'{"instruction": "caf\xe9"}\n'},
              "d.jsonl:2: not UTF-8 text (byte 64, line 2); re-save the file as UTF-8"),
    data_case("data-json-not-a-list", "{path: d.json, language: en}", {"d.json": '{"rows": []}'},
              'd.json: expected a list of rows, or an object with a list of rows under "data"; got an object with keys [\'rows\']'),
    data_case("data-json-string-row", "{path: d.json, language: en}", {"d.json": json.dumps([GOOD, "oops"])},
              "d.json: row 2: expected a JSON object, got a JSON string"),
    data_case("data-json-too-deep", "{path: d.json, language: en}", {"d.json": "[" * 100000 + "]" * 100000},
              "d.json: JSON nested too deeply"),
    data_case("data-no-known-shape", "{path: d.jsonl, language: en}", {"d.jsonl": rows({"q": "a", "a": "b"})},
              "d.jsonl:1: format: no known format fits a row with keys a, q: name one with `format`"),
    data_case("data-alpaca-missing-output", "{path: d.jsonl, language: en, format: alpaca}",
              {"d.jsonl": rows(GOOD, {"instruction": "x"})}, "d.jsonl:2: response: no value at 'output' (the row has keys instruction)"),
    data_case("data-alpaca-empty-output", "{path: d.jsonl, language: en, format: alpaca}",
              {"d.jsonl": rows({"instruction": "x", "output": "  "})}, "d.jsonl:1: response: empty text at 'output'"),
    data_case("data-alpaca-number-output", "{path: d.jsonl, language: en, format: alpaca}",
              {"d.jsonl": rows({"instruction": "x", "output": 42})}, "d.jsonl:1: response: expected text at 'output', got a number"),
    data_case("data-lima-number-turn", "{path: d.jsonl, language: en}", {"d.jsonl": rows({"conversations": ["hi", 3]})},
              "d.jsonl:1: format: no known format fits a row with keys conversations"),
    data_case("data-lima-one-turn", "{path: d.jsonl, language: en, format: conversations_list}",
              {"d.jsonl": rows({"conversations": ["only a question"]})},
              "d.jsonl:1: messages: no assistant turn to train on (the last turn must be the assistant's response)"),
    data_case("data-chat-unknown-role", "{path: d.jsonl, language: en}",
              {"d.jsonl": rows({"messages": [{"role": "narrator", "content": "x"}, {"role": "assistant", "content": "y"}]})},
              "d.jsonl:1: roles: turn 1: role 'narrator' at 'role'; map it with `roles`"),
    data_case("data-chat-content-not-text", "{path: d.jsonl, language: en}",
              {"d.jsonl": rows({"messages": [{"role": "user", "content": ["x"]}, {"role": "assistant", "content": "y"}]})},
              "d.jsonl:1: messages: turn 1: expected text at 'content', got a list"),
    data_case("data-oasst-no-root", "{path: d.jsonl, language: en, format: oasst}", {"d.jsonl": rows({"prompt": "x"})},
              "d.jsonl:1: prompt: expected the tree's root message under 'prompt'"),
    data_case("data-csv-column-count", "{path: d.csv, language: en, fields: {prompt: q, response: a}}",
              {"d.csv": "q,a\nhi,there\nhi,there,again\n"}, "d.csv: row 2: 3 values for 2 columns (q, a)"),
    data_case("data-csv-mapped-column-missing", "{path: d.csv, language: en, fields: {prompt: question, response: a}}",
              {"d.csv": "q,a\nhi,there\n"}, "d.csv: row 1: prompt: no value at 'question' (the row has keys a, q)"),
    data_case("data-csv-empty-cell", "{path: d.csv, language: en, fields: {prompt: q, response: a}}",
              {"d.csv": "q,a\nhi,\n"}, "d.csv: row 1: response: empty text at 'a'"),
    data_case("data-csv-duplicate-header", "{path: d.csv, language: en, fields: {prompt: q, response: a}}",
              {"d.csv": "q,q\nhi,there\n"}, "d.csv: row 0: the header row needs distinct, non-empty column names"),
    data_case("data-tsv-bad-quote", "{path: d.tsv, language: en, fields: {prompt: q, response: a}}",
              {"d.tsv": 'q\ta\n"hi"x\tthere\n'}, "d.tsv:2: not valid TSV: '\\t' expected after '\"'"),
    data_case("data-parquet-broken", "{path: d.parquet, language: en, fields: {prompt: q, response: a}}",
              {"d.parquet": b"PAR1 not really"}, "d.parquet: not a readable Parquet file"),
    data_case("data-unknown-suffix", "{path: d.txt, language: en}", {"d.txt": "hello\n"},
              "d.txt: cannot tell the file format from the suffix '.txt': set `file_format`"),
    data_case("data-empty-file", "{path: d.jsonl, language: en}", {"d.jsonl": "\n\n"},
              "recipe.yaml:5: data.sources.0.path: d.jsonl holds no rows"),
    data_case("data-unknown-format", "{path: d.jsonl, language: en, format: alpacca}", {"d.jsonl": rows(GOOD)},
              "recipe.yaml:5: data.sources.0.format: unknown data format 'alpacca'; known: alpaca, aya, bactrian-x, conversations"),
    data_case("data-fields-half-mapped", "{path: d.jsonl, language: en, fields: {prompt: instruction}}",
              {"d.jsonl": rows(GOOD)}, "recipe.yaml:5: data.sources.0.fields: the column mapping needs response"),
    data_case("data-fields-unknown-key", "{path: d.jsonl, language: en, fields: {question: q}}",
              {"d.jsonl": rows(GOOD)}, "recipe.yaml:5: data.sources.0.fields.question: unknown key"),
    data_case("data-roles-bad-target", "{path: d.jsonl, language: en, roles: {kunde: customer}}",
              {"d.jsonl": rows(GOOD)}, "recipe.yaml:5: data.sources.0.roles.kunde: Input should be 'user', 'assistant' or 'system'"),
    data_case("data-file-format-unknown", "{path: d.jsonl, language: en, file_format: xlsx}", {"d.jsonl": rows(GOOD)},
              "recipe.yaml:5: data.sources.0.file_format: Input should be 'auto', 'jsonl', 'json', 'csv', 'tsv' or 'parquet'"),
    data_case("data-size-beyond-sources", "{path: d.jsonl, language: en}", {"d.jsonl": rows(GOOD)},
              "recipe.yaml:7: data.size: 2 examples at weight 1 ask for 2 'en' rows, and its sources hold 1: lower "
              "data.size, or set data.allow_upsampling: true to repeat rows"),
    data_case("data-language-unknown", "{path: d.jsonl, language: klingon}", {"d.jsonl": rows(GOOD, GOOD)},
              "recipe.yaml:5: data.sources.0.language: unknown language code 'klingon'"),
    data_case("data-mix-language-unknown", "{path: d.jsonl, language: en}", {"d.jsonl": rows(GOOD, GOOD)},
              "recipe.yaml:6: data.mix.xx: unknown language code 'xx'", mix="{xx: 1.0}"),
    data_case("data-plug-target-without-label", "{path: d.jsonl, language: yo}", {"d.jsonl": rows(GOOD, GOOD)},
              "recipe.yaml:6: data.mix.yo: pivot mode plug needs a section label for 'yo' (Yoruba): give one in pivot.labels",
              mix="{yo: 1.0}", extra="pivot: {mode: plug}\n"),
    data_case("data-plug-empty-label", "{path: d.jsonl, language: en}", {"d.jsonl": rows(GOOD, GOOD)},
              "recipe.yaml:11: pivot.labels.yo: a section label is one non-empty line",
              extra='pivot: {labels: {yo: " "}}\n'),
    data_case("data-plug-label-taken", "{path: d.jsonl, language: en}", {"d.jsonl": rows(GOOD, GOOD)},
              "recipe.yaml:11: pivot.labels.yo: label 'English response:' is another language's label too",
              extra='pivot: {labels: {yo: "English response:"}}\n'),
    Case("data-identifier-missing", {"recipe.yaml": recipe("{path: d.jsonl, language: en}").replace(
        "  prompt_files:", "  language_identifier: lid.bin\n  prompt_files:"), "p.jsonl": PROMPTS, "d.jsonl": rows(GOOD, GOOD)},
         ("recipe.yaml",), "recipe.yaml:10: eval.language_identifier: `lingua`, or a fastText model file; file not found: lid.bin"),
    data_case("data-prompt-row-language", "{path: d.jsonl, language: en}",
              {"d.jsonl": rows(GOOD, GOOD), "p.jsonl": '{"instruction": "Hi", "expected_language": "yor"}\n'},
              "p.jsonl:1: expected_language: write the language code 'yor' as 'yo' (its standard form)"),
]


# -- translation-task data (data.translation) ------------------------------------------------------

TRANSLATION_RECIPE = """\
name: bad
base_model: builtin:tiny
data:
  translation:
    sources: [{SOURCE}]
    {SETTINGS}
train: {method: lora, max_steps: 1, batch_size: 2, max_length: 64}
eval:
  prompt_files: [{path: p.jsonl, language: en}]
"""
PAIRS = rows({"en": "Hi.", "zh": "你好。"}, {"en": "Bye.", "zh": "再见。"})


def translation_case(id: str, settings: str, expected: str, files: dict[str, str | bytes] | None = None,
                     source: str = "{path: par.jsonl}", data: str = "") -> Case:
    text = TRANSLATION_RECIPE.replace("{SOURCE}", source).replace("{SETTINGS}", settings.replace("\n", "\n    "))
    text = text.replace("data:\n", "data:\n" + data)
    return Case(id, {"recipe.yaml": text, "p.jsonl": PROMPTS, "par.jsonl": PAIRS, **(files or {})}, ("recipe.yaml",),
                expected)


TRANSLATION_CASES: list[Case] = [
    translation_case("translation-language-unknown", "size: {xx: 2}",
                     "recipe.yaml:6: data.translation.size.xx: unknown language code 'xx'"),
    translation_case("translation-languages-unknown", "size: 2\nlanguages: [zh, klingon]",
                     "recipe.yaml:7: data.translation.languages.1: unknown language code 'klingon'"),
    translation_case("translation-column-language-unknown", "size: {zh: 1}",
                     "recipe.yaml:5: data.translation.sources.0.fields.qq: unknown language code 'qq'",
                     source="{path: par.jsonl, fields: {en: en, qq: zh}}"),
    translation_case("translation-pivot-among-targets", "size: 1\nlanguages: [zh, en]\npivot: en",
                     "recipe.yaml:8: data.translation.pivot: the pivot 'en' is paired with every target language: "
                     "leave it out of the targets (`languages`)"),
    translation_case("translation-file-missing", "size: {zh: 1}",
                     "recipe.yaml:5: data.translation.sources.0.path: file not found: nope.jsonl",
                     source="{path: nope.jsonl}"),
    translation_case("translation-row-without-sentence", "size: {zh: 1}",
                     "par.jsonl:2: zh: no sentence in column 'zh' (the row has keys en)",
                     {"par.jsonl": rows({"en": "Hi.", "zh": "你好。"}, {"en": "Bye."})}),
    translation_case("translation-pair-file-column-missing", "size: {zh: 1}",
                     "par.csv: row 1: target: no sentence in column 'target' (the row has keys en, source)",
                     {"par.csv": "source,en\nHi.,Hi.\n"}, source="{path: par.csv, fields: {en: source, zh: target}}"),
    translation_case("translation-empty-sentence", "size: {zh: 1}", "par.jsonl:1: zh: empty sentence in column 'zh'",
                     {"par.jsonl": rows({"en": "Hi.", "zh": " "})}),
    translation_case("translation-not-json", "size: {zh: 1}", "par.jsonl:2: not valid JSON",
                     {"par.jsonl": PAIRS.split("\n")[0] + "\n{\n"}),
    translation_case("translation-more-pairs-than-held", "size: {zh: 3}",
                     "recipe.yaml:6: data.translation.size.zh: asks for 3 'zh' translation pairs and the parallel "
                     "sources hold 2: lower it, or set data.allow_upsampling: true to repeat pairs"),
    translation_case("translation-more-pairs-one-size", "size: 3\nlanguages: [zh]",
                     "recipe.yaml:6: data.translation.size: asks for 3 'zh' translation pairs and the parallel sources "
                     "hold 2"),
    translation_case("translation-no-source-for-language", "size: {ko: 1}",
                     "recipe.yaml:6: data.translation.size.ko: no parallel source has both 'en' (English) and 'ko' "
                     "(Korean) sentences"),
    translation_case("translation-template-without-slot", "size: {zh: 1}\ntemplates: t.txt",
                     "t.txt:3: a template needs both {source_lang} and {target_lang}; this one lacks {source_lang}",
                     {"t.txt": "From {source_lang} to {target_lang}.\n\nInto {target_lang}, please.\n"}),
    translation_case("translation-template-other-slot", "size: {zh: 1}\ntemplates: t.txt",
                     "t.txt:1: only {source_lang} and {target_lang} may be filled in",
                     {"t.txt": "From {source_lang} to {target_lang} in {style}.\n"}),
    translation_case("translation-templates-missing", "size: {zh: 1}\ntemplates: nope.txt",
                     "recipe.yaml:7: data.translation.templates: `default`, or a file of templates; file not found: "
                     "nope.txt"),
    translation_case("translation-size-without-languages", "size: 2",
                     "recipe.yaml:4: data.translation.languages: list the target languages (or give `size` as a number "
                     "per language"),
    translation_case("translation-size-dict-and-languages", "size: {zh: 1}\nlanguages: [zh]",
                     "recipe.yaml:7: data.translation.languages: leave `languages` out when `size` gives a number per "
                     "language"),
    translation_case("translation-negative-size", "size: {zh: -1}",
                     "recipe.yaml:6: data.translation.size.zh: Input should be greater than or equal to 0"),
    translation_case("translation-size-not-a-number", "size: many\nlanguages: [zh]",
                     "recipe.yaml:6: data.translation.size: Input should be a valid integer"),
    translation_case("translation-direction-unknown", "size: {zh: 1}\ndirection: sideways",
                     "recipe.yaml:7: data.translation.direction: Input should be 'to_target', 'to_english' or 'both'"),
    translation_case("translation-unknown-key", "size: {zh: 1}\nratio: 2",
                     "recipe.yaml:7: data.translation.ratio: unknown key"),
    translation_case("translation-source-two-locations", "size: {zh: 1}",
                     "recipe.yaml:5: data.translation.sources.0: give exactly one of `path` or `hub`",
                     source="{path: par.jsonl, hub: org/name}"),
    translation_case("translation-all-sizes-zero", "size: {zh: 0}",
                     "recipe.yaml:6: data.translation.size: no instruction `sources` and no translation pairs: the data "
                     "section selects no examples"),
    translation_case("translation-mix-without-sources", "size: {zh: 1}",
                     "recipe.yaml:4: data.mix: there are no instruction `sources` to draw from: leave it out",
                     data="  mix: {en: 1.0}\n"),
    Case("data-neither-sources-nor-translation", {"recipe.yaml": TRANSLATION_RECIPE.replace(
        "  translation:\n    sources: [{SOURCE}]\n    {SETTINGS}\n", "  seed: 1\n"), "p.jsonl": PROMPTS}, ("recipe.yaml",),
         "recipe.yaml:3: data.sources: give instruction data (`sources`, `mix`, `size`), translation-task data "
         "(`translation`), or both"),
]
DATA_CASES += TRANSLATION_CASES


# -- checks that once ran only after training (issue 23) ------------------------------------------
from tests.integration.test_bad_input_corpus import EVAL, LORA, edit  # noqa: E402

SELECT = edit(LORA, "  max_length: 128\n", "  max_length: 128\n  checkpoints: 1\n") + """\
select:
  tasks: [babel_qa_en]
  metric: exact_match
"""

ALIGN = EVAL + "analysis: [alignment]\nalignment:\n  source: par.jsonl\n  languages: [zh]\n"
USER_TASK = """\
task: mine_en
dataset_path: json
dataset_kwargs: {data_files: {test: d.jsonl}}
test_split: test
output_type: generate_until
doc_to_text: "{{q}}"
doc_to_target: "{{a}}"
metric_list:
  - {metric: exact_match, aggregation: mean, higher_is_better: true}
metadata:
  primary_metric: exact_match
"""
LOCAL_XQUAD = edit(EVAL, "  tasks: [babel_qa_en]\n", "  tasks: [xquad_gen_de, xquad_gen_th]\n"
                   "  data_source: local\n  data_dir: xquad\n")
SQUAD_FILE = json.dumps({"version": "1.1", "data": [{"title": "t", "paragraphs": [
    {"context": "Berlin ist die Hauptstadt.", "qas": [{"id": "q1", "question": "Was?", "answers": [
        {"text": "Berlin", "answer_start": 0}]}]}]}]})
USER_RECIPE = edit(EVAL, "  tasks: [babel_qa_en]\n", "  tasks: [mine_en]\n  include_path: [mytasks]\n")
RUN_CONFIG = "executor:\n  name: ray\n  address: my cluster\n"

CHECK_CASES: list[Case] = [
    Case("select-task-unknown", {"recipe.yaml": edit(SELECT, "  tasks: [babel_qa_en]\n  metric",
                                                     "  tasks: [babel_qa_xx]\n  metric")}, ("recipe.yaml",),
         "recipe.yaml:19: select.tasks.0: lm-eval does not know task 'babel_qa_xx'"),
    Case("select-metric-misspelled", {"recipe.yaml": edit(SELECT, "metric: exact_match", "metric: exact_mach")},
         ("recipe.yaml",), "recipe.yaml:20: select.metric: the validation never computes 'exact_mach'; its metrics: "
                           "contains, exact_match, language_fidelity"),
    Case("select-judge-metric-without-judge", {"recipe.yaml": edit(SELECT, "metric: exact_match",
                                                                   "metric: judge:rubric-6facet/fluency")},
         ("recipe.yaml",), "recipe.yaml:20: select.metric: judge 'rubric-6facet' is not one of select.judges (none)"),
    Case("select-judge-facet-misspelled", {"recipe.yaml": edit(SELECT, "metric: exact_match",
                                                               "metric: judge:rubric-6facet/fluenzy\n  judges: "
                                                               "[rubric-6facet]")},
         ("recipe.yaml",), "recipe.yaml:20: select.metric: judge 'rubric-6facet' reports no metric 'fluenzy'; it "
                           "reports: accuracy, fluency, harmlessness"),
    Case("alignment-source-missing", {"recipe.yaml": ALIGN}, ("recipe.yaml",),
         "recipe.yaml:10: alignment.source: `flores`, or a file or folder of parallel sentences; not found: par.jsonl"),
    Case("alignment-language-missing", {"recipe.yaml": ALIGN, "par.jsonl": rows({"en": "Hi.", "fr": "Salut."})},
         ("recipe.yaml",), "recipe.yaml:11: alignment.languages.0: par.jsonl holds no 'zh' sentences (it has en, fr)"),
    Case("task-key-lm-eval-does-not-take", {"recipe.yaml": USER_RECIPE, "mytasks/mine_en.yaml":
                                            edit(USER_TASK, "doc_to_text:", "doc_to_txt:")},
         ("recipe.yaml",), "mytasks/mine_en.yaml:6: doc_to_txt: lm-eval's task config takes no key 'doc_to_txt'"),
    Case("task-primary-metric-not-computed", {"recipe.yaml": USER_RECIPE, "mytasks/mine_en.yaml":
                                              edit(USER_TASK, "primary_metric: exact_match", "primary_metric: chrf")},
         ("recipe.yaml",), "mytasks/mine_en.yaml:11: metadata.primary_metric: 'chrf' is not computed by task "
                           "'mine_en'; its metric_list: exact_match"),
    Case("task-metadata-language-unknown", {"recipe.yaml": USER_RECIPE, "mytasks/mine_en.yaml":
                                            edit(USER_TASK, "primary_metric: exact_match",
                                                 "primary_metric: exact_match\n  language: klingon")},
         ("recipe.yaml",), "mytasks/mine_en.yaml:12: metadata.language: unknown language code 'klingon'"),
    Case("sweep-same-variant-name", {"recipe.yaml": EVAL.replace("{method: none}", "{method: none, lr: 0.001}")
                                     + "sweep:\n  train.lr: [0.001, '0.001']\n"},
         ("recipe.yaml",), "recipe.yaml:9: train.lr: two combinations expand to the variant name 'bad@lr=0.001'"),
    Case("plug-pivot-is-the-only-target", {"recipe.yaml": LORA + "pivot: {mode: plug, pivot_language: en}\n"},
         ("recipe.yaml",), "recipe.yaml:17: pivot.pivot_language: the pivot 'en' is the only language the data mixes"),
    Case("local-data-language-file-missing", {"recipe.yaml": LOCAL_XQUAD, "xquad/xquad.de.json": SQUAD_FILE},
         ("recipe.yaml",), "recipe.yaml:7: eval.data_dir: {tmp}/xquad/xquad.th.json: file not found; task xquad_gen_th "
                           "reads it (expected: XQuAD's published xquad.<lang>.json (SQuAD v1.1 JSON))"),
    Case("local-data-folder-missing", {"recipe.yaml": edit(LOCAL_XQUAD, "data_dir: xquad", "data_dir: xqad")},
         ("recipe.yaml",), "recipe.yaml:7: eval.data_dir: folder not found: xqad"),
    Case("local-data-task-without-layout", {"recipe.yaml": edit(LOCAL_XQUAD, "[xquad_gen_de, xquad_gen_th]",
                                                                "[xquad_gen_de, babel_qa_en]"),
                                            "xquad/xquad.de.json": SQUAD_FILE},
         ("recipe.yaml",), "recipe.yaml:6: eval.data_source: task 'babel_qa_en' declares no data_layout, so it "
                           "cannot read local files"),
    Case("limit-sample-unknown-key", {"recipe.yaml": edit(EVAL, "limit: 2", "limit: {per_language: 2, sed: 1}")},
         ("recipe.yaml",), "recipe.yaml:6: eval.limit.sample.sed: unknown key"),
    Case("executor-address-not-an-address", {"recipe.yaml": EVAL, "run.yaml": RUN_CONFIG},
         ("recipe.yaml", "--config", "run.yaml"), "run.yaml:3: executor.address: 'my cluster' is not a Ray address: "
                                                  "auto, ray://host:port", commands=("run",)),
    Case("openai-key-over-plain-http", {"recipe.yaml": EVAL + "  backend: openai\n  openai: {base_url: "
                                                        "'http://llm.example.org/v1', model: m, api_key_env: MY_KEY}\n"},
         ("recipe.yaml",), "recipe.yaml:9: eval.openai.api_key_env: would send $MY_KEY over plain http to "
                           "llm.example.org: use an https base_url", env={"MY_KEY": "sk-not-sent"}),
]
DATA_CASES += CHECK_CASES


# -- human ratings (`harness ratings import FILE`): each row checked against the stored answers ----------

RATING_HEADER = "rater,eval_key,task,doc_id,facet,score,scale_min,scale_max,baseline_eval,shown_order,verdict\n"
GOOD_RATING = "ann,eval-tuned,xalpaca_de,0,fluency,2,1,3,,,\n"


def _rated_store(folder) -> None:
    from tests.support.rated_store import build_rated_store

    build_rated_store(folder)


def rating_case(id: str, name: str, text: str, expected: str) -> Case:
    """``harness ratings import NAME`` on the test store of rateable answers: refused, nothing stored."""
    return Case(id, {name: text}, ("ratings", "import", name, "--store", "rated.duckdb"), expected, commands=(),
                setup=_rated_store)


RATING_CASES: list[Case] = [
    rating_case("ratings-unknown-answer", "r.csv", RATING_HEADER + GOOD_RATING
                + "ann,eval-tuned,xalpaca_de,99,fluency,2,1,3,,,\n",
                "r.csv:3: doc_id: no stored answer to document 99 of task 'xalpaca_de' in evaluation 'eval-tuned'"),
    rating_case("ratings-unknown-evaluation", "r.csv", RATING_HEADER + "ann,eval-x,xalpaca_de,0,fluency,2,1,3,,,\n",
                "r.csv:2: eval_key: no stored evaluation 'eval-x'"),
    rating_case("ratings-score-off-scale", "r.jsonl", rows(
        {"rater": "ann", "eval_key": "eval-tuned", "task": "xalpaca_de", "doc_id": 1, "facet": "fluency",
         "score": 3, "scale_min": 0, "scale_max": 2}), "r.jsonl:1: score: 3 lies outside the scale 0-2"),
    rating_case("ratings-facet-unknown", "r.csv", RATING_HEADER + "ann,eval-tuned,xalpaca_de,0,fluenzy,2,1,3,,,\n",
                "r.csv:2: facet: 'fluenzy' is no facet of a stored rubric judge"),
    rating_case("ratings-verdict-bad-order", "r.jsonl", rows(
        {"rater": "ann", "eval_key": "eval-tuned", "task": "xalpaca_de", "doc_id": 1, "facet": "verdict",
         "baseline_eval": "eval-base", "shown_order": "A first", "verdict": "A"}),
        "r.jsonl:1: shown_order: must be ab (the rated answer shown as A) or ba, got 'A first'"),
    rating_case("ratings-doc-id-not-a-number", "r.csv", RATING_HEADER + "ann,eval-tuned,xalpaca_de,one,fluency,2,1,3,,,\n",
                'r.csv:2: doc_id: must be a whole number, got "one"'),
    rating_case("ratings-unknown-column", "r.csv", "rater,eval_key,task,doc_id,facet,grade\n",
                "r.csv:1: grade: not a rating field"),
    rating_case("ratings-jsonl-not-json", "r.jsonl", "{\"rater\": \n", "r.jsonl:1: not valid JSON"),
]
DATA_CASES += RATING_CASES
