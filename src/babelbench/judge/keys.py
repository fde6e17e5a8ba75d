"""Which API key a judge endpoint gets, if any: the rules of :mod:`babelbench.core.api_keys` (a key goes
only to its provider, or to a ``base_url`` paired with ``api_key_env``), applied to a judge backend config."""

from __future__ import annotations

from ..core.api_keys import DEFAULT_KEY_ENV, PROVIDER_HOSTS, PROVIDER_URL, KeyPlan, endpoint_key_plan, is_loopback
from .schema import BackendConfig

__all__ = ["DEFAULT_KEY_ENV", "PROVIDER_HOSTS", "PROVIDER_URL", "KeyPlan", "is_loopback", "key_plan"]


def key_plan(config: BackendConfig) -> KeyPlan:
    """The key ``config``'s endpoint gets."""
    return endpoint_key_plan(config.base_url, config.api_key_env)
