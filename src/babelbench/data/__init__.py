"""Training data: reading sources, mixing languages, PLUG formatting, chat templating."""

from .build import DataManifest, build_training_set
from .sources import Example, read_source

__all__ = ["DataManifest", "Example", "build_training_set", "read_source"]
