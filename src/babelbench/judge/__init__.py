"""LLM-as-judge and language-identification grading of stored answers."""
