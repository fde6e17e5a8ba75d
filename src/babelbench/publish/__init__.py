"""Exporting what the store holds: a Hub-dataset-shaped folder (Parquet + card) and lm-eval results JSON."""
