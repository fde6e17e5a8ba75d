"""The lm-eval bridge: tasks/ as an include path, model args for base/adapter, sample capture."""
