"""Shared helpers that import nothing of the package: file:line errors, YAML with positions,
content hashes and display paths. Every layer may import these; they import no layer."""

from .errors import ConfigError, Problem
from .hashing import canonical_json, digest, file_digest
from .yamlpos import Located, display_path, load_yaml

__all__ = ["ConfigError", "Located", "Problem", "canonical_json", "digest", "display_path", "file_digest",
           "load_yaml"]
