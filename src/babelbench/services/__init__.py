"""Services behind commands other than `harness run`: scaling-law fits (`harness fit`), alignment
probes (`harness probe`), importing plain lm-eval runs, and a variant's weights for plain lm-eval."""
