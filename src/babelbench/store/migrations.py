"""The store's schema, grown only by numbered, append-only migrations.

Each migration runs once, in order, inside a transaction, and is recorded in
``_migrations``. Never edit a migration that has shipped: add the next one.
"""

from __future__ import annotations

MIGRATIONS: list[tuple[int, str, str]] = [
    (1, "initial", """
CREATE TABLE recipes (
    recipe_hash VARCHAR PRIMARY KEY,   -- hash of the recipe file's text
    file        VARCHAR NOT NULL,
    text        VARCHAR NOT NULL,
    first_seen  TIMESTAMP NOT NULL
);
CREATE TABLE variants (
    variant_id     VARCHAR PRIMARY KEY, -- hash of the variant's canonical form
    name           VARCHAR NOT NULL,
    recipe_hash    VARCHAR NOT NULL,
    recipe_file    VARCHAR NOT NULL,
    base_model     VARCHAR NOT NULL,
    method         VARCHAR NOT NULL,
    pivot_mode     VARCHAR NOT NULL,
    pivot_language VARCHAR NOT NULL,
    data_mix       JSON,
    data_size      INTEGER,
    config         JSON NOT NULL,       -- the whole variant, canonical
    choices        JSON NOT NULL,       -- the sweep / named-variant values that made it
    created_at     TIMESTAMP NOT NULL
);
CREATE TABLE variant_stages (           -- which stage output each variant uses
    variant_id VARCHAR NOT NULL,
    kind       VARCHAR NOT NULL,        -- data | train | eval
    key        VARCHAR NOT NULL,
    PRIMARY KEY (variant_id, kind)
);
CREATE TABLE stage_runs (               -- every attempt, done or not
    run_id      VARCHAR PRIMARY KEY,
    kind        VARCHAR NOT NULL,
    key         VARCHAR NOT NULL,
    variant_id  VARCHAR NOT NULL,
    status      VARCHAR NOT NULL,       -- running | done | failed | adopted | interrupted
    started_at  TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    seconds     DOUBLE,
    versions    JSON NOT NULL,          -- library versions that can change the output
    git_commit  VARCHAR,                -- the project checkout, '+dirty' if modified
    output      VARCHAR,                -- artifact folder, if any
    info        JSON,
    error       VARCHAR
);
CREATE TABLE data_stats (
    data_key        VARCHAR NOT NULL,
    language        VARCHAR NOT NULL,
    examples        INTEGER NOT NULL,
    unique_examples INTEGER NOT NULL,
    prompt_tokens   BIGINT NOT NULL,
    response_tokens BIGINT NOT NULL,
    PRIMARY KEY (data_key, language)
);
CREATE TABLE metrics (
    eval_key     VARCHAR NOT NULL,
    task         VARCHAR NOT NULL,
    task_version VARCHAR,
    language     VARCHAR,               -- NULL for groups spanning languages
    metric       VARCHAR NOT NULL,
    filter       VARCHAR NOT NULL,
    value        DOUBLE,
    stderr       DOUBLE,
    n            INTEGER,
    is_group     BOOLEAN NOT NULL,
    PRIMARY KEY (eval_key, task, metric, filter)
);
CREATE TABLE samples (
    eval_key       VARCHAR NOT NULL,
    task           VARCHAR NOT NULL,
    doc_id         INTEGER NOT NULL,
    language       VARCHAR,
    prompt         VARCHAR NOT NULL,
    raw_response   VARCHAR NOT NULL,
    kept_response  VARCHAR NOT NULL,
    kept_filter    VARCHAR NOT NULL,
    pivot_status   VARCHAR,             -- plug variants: ok | label_not_found | only_pivot
    target         VARCHAR,
    doc            JSON NOT NULL,
    doc_hash       VARCHAR,
    prompt_hash    VARCHAR,
    target_hash    VARCHAR,
    sample_metrics JSON,
    PRIMARY KEY (eval_key, task, doc_id)
);
"""),
    (2, "judgments", """
CREATE TABLE judgments (                -- one grade per judgment key, whichever variant asked for it
    judgment_key      VARCHAR PRIMARY KEY, -- hash of (judge identity, the exact messages / inputs)
    judge             VARCHAR NOT NULL,
    judge_hash        VARCHAR NOT NULL,    -- judge config + templates + backend model
    kind              VARCHAR NOT NULL,    -- rubric | pairwise | language-id
    status            VARCHAR NOT NULL,    -- ok | parse_failure
    scores            JSON,                -- facet -> grade (after floor rules, if applied)
    raw_scores        JSON,                -- facet -> grade as the judge gave it
    verdict           VARCHAR,             -- pairwise: A | B | tie
    detected_language VARCHAR,             -- language-id
    code_switch       DOUBLE,              -- language-id: share of words in other languages
    rationale         VARCHAR,
    raw               VARCHAR,             -- the judge's reply exactly as received
    error             VARCHAR,             -- why a reply did not parse
    backend           VARCHAR,
    model             VARCHAR,
    attempts          INTEGER,
    seconds           DOUBLE,
    created_at        TIMESTAMP NOT NULL
);
CREATE TABLE judgment_links (            -- which judgment grades which stored sample
    eval_key     VARCHAR NOT NULL,
    task         VARCHAR NOT NULL,
    doc_id       INTEGER NOT NULL,
    judge_hash   VARCHAR NOT NULL,
    slot         VARCHAR NOT NULL,         -- '' ; pairwise: '<baseline eval key>:ab' or ':ba'
    judgment_key VARCHAR,                  -- NULL when status is no_target
    status       VARCHAR NOT NULL,         -- judged | no_target (PLUG answer without a target part)
    PRIMARY KEY (eval_key, task, doc_id, judge_hash, slot)
);
CREATE TABLE variant_judges (            -- the judges a variant is currently graded by
    variant_id       VARCHAR NOT NULL,
    judge            VARCHAR NOT NULL,
    judge_hash       VARCHAR NOT NULL,
    kind             VARCHAR NOT NULL,
    baseline_variant VARCHAR,              -- pairwise: the baseline's variant_id
    baseline_eval    VARCHAR,              -- pairwise: the baseline's eval key
    config           JSON NOT NULL,        -- the judge as used (backend included, no secrets)
    PRIMARY KEY (variant_id, judge)
);
"""),
    (3, "metric intervals", """
-- 95 % interval of each metric, computed at evaluation from the per-document values:
-- sacrebleu's bootstrap for corpus metrics (chrF, spBLEU), a percentile bootstrap of the
-- mean otherwise. NULL for rows evaluated before this migration.
ALTER TABLE metrics ADD COLUMN ci_low DOUBLE;
ALTER TABLE metrics ADD COLUMN ci_high DOUBLE;
"""),
    (4, "judge metrics", """
CREATE TABLE judge_metrics (            -- judge numbers per variant, refreshed after its judge pass
    variant_id VARCHAR NOT NULL,
    task       VARCHAR NOT NULL,        -- a task, or 'all'
    language   VARCHAR,
    metric     VARCHAR NOT NULL,        -- judge:<name>/<facet or rate>
    filter     VARCHAR NOT NULL,
    value      DOUBLE,
    n          INTEGER,
    ci_low     DOUBLE,
    ci_high    DOUBLE,
    baseline   VARCHAR                  -- pairwise: the baseline variant's name
);
"""),
    (5, "scoring declared by tasks", """
-- Which rows count is declared by each task (its metadata), no longer a constant filter:
-- `scored` marks the rows of the task's counting filter (`plug` for PLUG variants),
-- `is_primary` its primary metric there, `family` the task family aggregates group by.
-- Rows stored before this migration were scored on `none`, or `plug` for PLUG variants.
ALTER TABLE metrics ADD COLUMN scored BOOLEAN DEFAULT false;
ALTER TABLE metrics ADD COLUMN is_primary BOOLEAN DEFAULT false;
ALTER TABLE metrics ADD COLUMN family VARCHAR;
UPDATE metrics SET scored = (filter = CASE WHEN eval_key IN (
    SELECT s.key FROM variant_stages s JOIN variants v USING (variant_id)
    WHERE s.kind = 'eval' AND v.pivot_mode = 'plug') THEN 'plug' ELSE 'none' END);
-- ... and their primary metric and family were the harness's own table at the time.
UPDATE metrics SET
    is_primary = scored AND NOT is_group AND (
        (regexp_matches(task, '^(xalpaca|prompts)_') AND metric = 'language_fidelity')
        OR (regexp_matches(task, '^babel_qa_') AND metric = 'contains')
        OR (regexp_matches(task, '^(xquad|mlqa)_gen_') AND metric = 'f1')
        OR (regexp_matches(task, '^flores_gen_') AND metric = 'chrf')),
    family = CASE
        WHEN is_group THEN task
        WHEN regexp_matches(task, '^prompts_') THEN 'prompts'
        WHEN regexp_matches(task, '^flores_gen_en_') THEN 'flores_gen_en_xx'
        WHEN regexp_matches(task, '^flores_gen_[a-z]+_en$') THEN 'flores_gen_xx_en'
        ELSE regexp_replace(task, '_[a-z]{2,3}$', '') END;
-- Judge metrics that describe the judge's reliability, not the variant, are not headlines.
ALTER TABLE judge_metrics ADD COLUMN headline BOOLEAN DEFAULT true;
UPDATE judge_metrics SET headline = NOT regexp_matches(metric,
    '/(parse_failure_rate|no_target|error_rate|order_flip|language_agreement)$');
"""),
    (6, "checkpoint selection", """
-- Each kept checkpoint's validation score per language, and the checkpoint chosen, per select stage.
CREATE TABLE checkpoint_scores (
    select_key VARCHAR NOT NULL,
    step       INTEGER NOT NULL,
    language   VARCHAR NOT NULL,
    value      DOUBLE,
    n          INTEGER,
    eval_key   VARCHAR NOT NULL,       -- the checkpoint's validation evaluation
    PRIMARY KEY (select_key, step, language)
);
CREATE TABLE checkpoint_selections (
    select_key    VARCHAR PRIMARY KEY,
    metric        VARCHAR NOT NULL,
    aggregate     VARCHAR NOT NULL,    -- mean | worst | a JSON object of weights
    selected_step INTEGER NOT NULL,
    totals        JSON NOT NULL        -- step -> aggregate across languages
);
"""),
    (7, "judged against several baselines", """
-- A pairwise judge may compare a variant with several others (judge.pairs: all | a list), so a
-- variant's judge is registered once per baseline: `against` is the baseline's variant id ('' if none).
CREATE TABLE variant_judges_v7 (
    variant_id       VARCHAR NOT NULL,
    judge            VARCHAR NOT NULL,
    judge_hash       VARCHAR NOT NULL,
    kind             VARCHAR NOT NULL,
    baseline_variant VARCHAR,
    baseline_eval    VARCHAR,
    config           JSON NOT NULL,
    against          VARCHAR NOT NULL,
    PRIMARY KEY (variant_id, judge, against)
);
INSERT INTO variant_judges_v7 SELECT *, coalesce(baseline_variant, '') FROM variant_judges;
DROP TABLE variant_judges;
ALTER TABLE variant_judges_v7 RENAME TO variant_judges;
"""),
    (8, "translation-data study", """
-- Per language, how many of the data stage's examples are translation tasks built from parallel text
-- (CoIT); `examples` keeps counting every example of the language.
ALTER TABLE data_stats ADD COLUMN translation_examples INTEGER DEFAULT 0;
-- `harness fit`: per language, the law chosen by leave-one-out error, its parameters with bootstrap
-- intervals, and the (variant, data size, quality) points it was fitted to.
CREATE TABLE scaling_fits (
    fit_id      VARCHAR NOT NULL,      -- content hash of the points and the fit settings
    language    VARCHAR NOT NULL,
    task        VARCHAR NOT NULL,      -- the task (or family) whose metric is fitted
    metric      VARCHAR NOT NULL,
    law         VARCHAR NOT NULL,      -- the chosen law (power | log)
    params      JSON NOT NULL,         -- parameter -> estimate
    params_low  JSON NOT NULL,         -- parameter -> bootstrap lower bound
    params_high JSON NOT NULL,
    loo_error   JSON NOT NULL,         -- law -> leave-one-out RMSE
    points      JSON NOT NULL,         -- [{variant_id, size, value}]
    settings    JSON NOT NULL,         -- task pattern, filter, laws tried, bootstrap rounds, seed, level
    curve       JSON NOT NULL,         -- [{size, predicted, low, high}]: the fitted curve and its bootstrap band
    created_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (fit_id, language)
);
-- A budget allocated across the fitted languages (with floors, caps and weights).
CREATE TABLE scaling_allocations (
    allocation_id  VARCHAR NOT NULL,   -- content hash of fit_id and the settings
    fit_id         VARCHAR NOT NULL,
    budget         BIGINT NOT NULL,
    settings       JSON NOT NULL,      -- floors, caps, weights, step
    language       VARCHAR NOT NULL,
    size           BIGINT NOT NULL,
    predicted      DOUBLE,
    predicted_low  DOUBLE,
    predicted_high DOUBLE,
    created_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (allocation_id, language)
);
-- Layer-wise alignment of parallel sentences (an analysis stage, keyed like the others).
CREATE TABLE alignment (
    align_key          VARCHAR NOT NULL,
    layer              INTEGER NOT NULL,   -- 0 = embeddings, then one per transformer block
    source_language    VARCHAR NOT NULL,   -- usually en
    target_language    VARCHAR NOT NULL,
    pair_cosine        DOUBLE,             -- mean cosine of translation pairs
    nonpair_cosine     DOUBLE,             -- mean cosine of non-pairs
    retrieval_forward  DOUBLE,             -- top-1 accuracy source -> target
    retrieval_backward DOUBLE,             -- top-1 accuracy target -> source
    n                  INTEGER NOT NULL,   -- sentence pairs
    PRIMARY KEY (align_key, layer, source_language, target_language)
);
"""),
    (9, "judge metrics as columns", """
-- A judge metric is kept as its parts -- the judge, the facet (or rate) and the baseline it was
-- compared with (already a column) -- not as the name `judge:<judge>/<facet>`; rows stored before
-- take their parts from that name.
CREATE TABLE judge_metrics_v9 (
    variant_id VARCHAR NOT NULL,
    task       VARCHAR NOT NULL,        -- a task, or 'all'
    language   VARCHAR,
    judge      VARCHAR NOT NULL,        -- the judge's name
    facet      VARCHAR NOT NULL,        -- its facet or rate (e.g. fluency, win_rate)
    baseline   VARCHAR,                 -- pairwise: the baseline variant's name
    filter     VARCHAR NOT NULL,
    value      DOUBLE,
    n          INTEGER,
    ci_low     DOUBLE,
    ci_high    DOUBLE,
    headline   BOOLEAN DEFAULT true
);
INSERT INTO judge_metrics_v9
SELECT variant_id, task, language, regexp_extract(metric, '^judge:([^/]*)/(.*)$', 1),
       regexp_extract(metric, '^judge:([^/]*)/(.*)$', 2), baseline, filter, value, n, ci_low, ci_high, headline
FROM judge_metrics;
DROP TABLE judge_metrics;
ALTER TABLE judge_metrics_v9 RENAME TO judge_metrics;
"""),
    (10, "human ratings", """
-- A person's rating of one stored answer (the sample key: eval_key, task, doc_id), blind to the variant:
-- a rubric facet's grade on the scale it was given on (the judge's, or the seed study's 0-2), or a
-- pairwise verdict against another evaluation's answer to the same document, with the order shown.
-- One row per rater, answer, facet and comparison: rating again replaces it (a re-import adds nothing).
CREATE TABLE human_ratings (
    rater         VARCHAR NOT NULL,    -- the rater's id, as typed
    eval_key      VARCHAR NOT NULL,
    task          VARCHAR NOT NULL,
    doc_id        INTEGER NOT NULL,
    facet         VARCHAR NOT NULL,    -- a rubric facet, or 'verdict' for a pairwise rating
    baseline_eval VARCHAR NOT NULL,    -- '' ; pairwise: the evaluation of the other answer
    score         INTEGER,             -- rubric: the grade, scale_min..scale_max
    scale_min     INTEGER,             -- rubric: the scale it was given on (judge 1-3, study 0-2)
    scale_max     INTEGER,
    shown_order   VARCHAR,             -- pairwise: 'ab' (this answer shown as A) or 'ba'
    verdict       VARCHAR,             -- pairwise: A | B | tie, as shown
    note          VARCHAR,             -- the rater's free-text note
    rated_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (rater, eval_key, task, doc_id, facet, baseline_eval)
);
"""),
]

LATEST = MIGRATIONS[-1][0]
