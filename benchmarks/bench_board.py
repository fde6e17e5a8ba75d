"""Board speed on a synthetic store: 200 variants x 20 task families x 6 languages, 1 M samples.

Measures (1) the leaderboard query (`babelbench.store.board.leaderboard`) on an open read-only
connection, and the same with opening the store, 20 runs each; (2) the first render of the
leaderboard page with Streamlit's AppTest, cold (fresh AppTest, data cache cleared), 5 runs.
Goals: query p50 < 100 ms; first page render < 2 s.

    python -m benchmarks.bench_board [--store /tmp/bench-board.duckdb]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from benchmarks._common import ROOT, save

VARIANTS, FAMILIES, LANGUAGES, SAMPLES = 200, 20, ["en", "zh", "es", "it", "ko", "de"], 1_000_000


def build(path: Path) -> None:
    from babelbench.store import Store

    path.unlink(missing_ok=True)
    with Store(path).write() as con:
        docs = SAMPLES // (VARIANTS * FAMILIES * len(LANGUAGES)) + 1
        con.execute(f"""
            INSERT INTO recipes VALUES ('r', 'recipes/bench.yaml', 'name: bench', now());
            INSERT INTO variants SELECT 'v' || i, 'bench@v' || i, 'r', 'recipes/bench.yaml', 'builtin:tiny',
                CASE WHEN i % 2 = 0 THEN 'lora' ELSE 'full' END, CASE WHEN i % 4 = 0 THEN 'plug' ELSE 'none' END, 'en',
                '{{"en": 0.5, "zh": 0.5}}', 100 * (1 + i % 5),
                json_object('train', json_object('lr', 1e-4 * (1 + i % 3), 'max_steps', 100 * (1 + i % 4)),
                            'eval', json_object('limit', 50)),
                json_object('train.lr', 1e-4 * (1 + i % 3)), now()
            FROM range({VARIANTS}) t(i);
            INSERT INTO variant_stages SELECT variant_id, 'eval', 'e' || variant_id FROM variants;
            INSERT INTO stage_runs SELECT 'run' || variant_id, 'eval', 'e' || variant_id, variant_id, 'done', now(), now(),
                1.0, '{{}}', NULL, NULL, NULL, NULL FROM variants;
            CREATE TEMP TABLE langs AS SELECT unnest({LANGUAGES!r}) AS lang;
            CREATE TEMP TABLE tasks AS SELECT 'fam' || lpad(f::VARCHAR, 2, '0') AS family,
                'fam' || lpad(f::VARCHAR, 2, '0') || '_' || lang AS task, lang FROM range({FAMILIES}) t(f), langs;
            INSERT INTO metrics SELECT s.key, t.task, '1.0', t.lang, m.metric, f.filter, random(), 0.01, 50, false,
                NULL, NULL
            FROM variant_stages s, tasks t, (VALUES ('f1'), ('exact_match'), ('language_fidelity')) m(metric),
                 (VALUES ('none'), ('plug')) f(filter);
            INSERT INTO metrics SELECT s.key, family || ' (macro)', NULL, NULL, 'f1', v.filter, random(), NULL, 300, true,
                0.1, 0.9
            FROM variant_stages s JOIN (SELECT variant_id, CASE WHEN pivot_mode = 'plug' THEN 'plug' ELSE 'none' END AS filter
                FROM variants) v USING (variant_id), (SELECT DISTINCT family FROM tasks);
            INSERT INTO metrics SELECT s.key, 'all tasks · ' || lang, NULL, lang, 'primary_score', v.filter, random(),
                NULL, 20, true, NULL, NULL
            FROM variant_stages s JOIN (SELECT variant_id, CASE WHEN pivot_mode = 'plug' THEN 'plug' ELSE 'none' END AS filter
                FROM variants) v USING (variant_id), langs;
            INSERT INTO judge_metrics (variant_id, task, language, judge, facet, filter, value, n, ci_low, ci_high,
                                       baseline)
            SELECT v.variant_id, t, NULL, 'rubric-6facet', facet,
                CASE WHEN pivot_mode = 'plug' THEN 'plug' ELSE 'none' END, 1 + 2 * random(), 300, 1.5, 2.5, NULL
            FROM variants v, (VALUES ('all')) tt(t),
                 (VALUES ('language'), ('fluency'), ('helpfulness'), ('accuracy'), ('logical_coherence'),
                         ('harmlessness')) f(facet);
            INSERT INTO samples SELECT s.key, t.task, d, t.lang, 'prompt ' || d, 'raw answer ' || d, 'kept answer ' || d,
                'none', NULL, '', '{{"instruction": "do something"}}', NULL, NULL, NULL, '{{}}'
            FROM variant_stages s, tasks t, range({docs}) r(d);
        """)
    with Store(path).read() as con:
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("variants", "metrics", "samples", "judge_metrics")}
    print("store:", counts, flush=True)
    return counts


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", default="/tmp/bench-board.duckdb")
    ap.add_argument("--runs", type=int, default=20)
    args = ap.parse_args()
    path = Path(args.store)
    started = time.perf_counter()
    counts = build(path)
    build_s = time.perf_counter() - started

    from babelbench.store import Store, board

    with Store(path).read() as con:
        board.leaderboard(con)  # warm the file cache
        query = []
        for _ in range(args.runs):
            t = time.perf_counter()
            rows = board.leaderboard(con)
            query.append(time.perf_counter() - t)
    assert len(rows) == VARIANTS and len(rows[0]["scores"]) == FAMILIES + len(LANGUAGES) + 6
    with_open = []
    for _ in range(args.runs):
        t = time.perf_counter()
        with Store(path).read() as con:
            board.leaderboard(con)
        with_open.append(time.perf_counter() - t)

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    os.environ["BABELBENCH_STORE"] = str(path)
    render = []
    for _ in range(5):
        st.cache_data.clear()
        at = AppTest.from_file(str(ROOT / "leaderboard" / "app.py"), default_timeout=60)
        t = time.perf_counter()
        at.run()
        render.append(time.perf_counter() - t)
        assert not at.exception and len(at.dataframe[0].value) == VARIANTS
    ms = lambda xs: round(statistics.median(xs) * 1000, 1)  # noqa: E731
    save("board", {"store": counts, "build_s": round(build_s, 1),
                   "leaderboard_query_ms": {"p50": ms(query), "p90": round(sorted(query)[int(0.9 * len(query))] * 1000, 1),
                                            "runs": len(query)},
                   "open_and_query_ms": {"p50": ms(with_open)},
                   "first_render_s": {"runs": [round(x, 3) for x in render], "median": round(statistics.median(render), 3)}})


if __name__ == "__main__":
    main()
