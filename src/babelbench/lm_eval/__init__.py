"""babelbench's glue to lm-eval, in one place.

* :mod:`.model` -- the ``babelbench`` model for lm-eval's own command line (``python -m babelbench.lm_eval``);
* :mod:`.env` -- quieting what lm-eval looks up on import (git);
* :mod:`.progress` -- generation progress from lm-eval's models for the run's display;
* :mod:`.filters` -- the PLUG target filter the shipped task YAMLs name;
* :mod:`.judge_metric` -- judges as lm-eval metrics in plain ``lm_eval`` runs;
* :mod:`.run_files` -- reading a plain ``lm_eval --log_samples`` run for ``harness import lm-eval``.

Importing this package imports nothing of lm-eval.
"""
