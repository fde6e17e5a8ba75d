"""Shared helpers that import nothing of the package: file:line errors (``errors``), YAML with
positions (``yamlpos``), content hashes (``hashing``), ``train.method``'s values (``train_method``)
and the typed records that cross stage boundaries (``records``). Every layer may import these; they import no layer.

Import the submodule you need (``from babelbench.core.errors import ConfigError``): this
package itself imports nothing, so ``harness --help`` does not pay for YAML or dataclasses.
"""
