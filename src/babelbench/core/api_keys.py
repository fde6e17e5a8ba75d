"""Which API key an OpenAI-compatible endpoint gets, if any (judges' backends and the `openai` eval backend).

A key belongs to a provider: without a ``base_url`` the endpoint is api.openai.com, with ``$OPENAI_API_KEY``
(or the ``api_key_env`` named). Another endpoint gets a key only when its config pairs it explicitly
(``base_url`` with ``api_key_env``, set together), and never over plain http to a host other than this
machine. An endpoint on loopback (a local llama.cpp or vLLM server) needs no key and gets none unless paired.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

#: a provider's own key variable -> the one host it is sent to
PROVIDER_HOSTS: dict[str, str] = {"OPENAI_API_KEY": "api.openai.com"}
DEFAULT_KEY_ENV = "OPENAI_API_KEY"
PROVIDER_URL = "https://api.openai.com/v1"


@dataclass(frozen=True)
class KeyPlan:
    env: str | None          #: environment variable whose value is sent; None: no key is sent
    required: bool = False   #: the endpoint cannot answer without it (a remote provider)
    problem: str | None = None  #: why this pairing is refused


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def endpoint_key_plan(base_url: str | None, api_key_env: str | None) -> KeyPlan:
    """The key the endpoint at ``base_url`` (None: the provider's) gets: see the module's rules."""
    env = api_key_env
    if base_url is None:
        return KeyPlan(env or DEFAULT_KEY_ENV, required=True)
    parts = urlsplit(base_url)
    host = (parts.hostname or "").lower()
    if env is None:
        provider_env = next((e for e, h in PROVIDER_HOSTS.items() if h == host), None)
        return KeyPlan(provider_env, required=provider_env is not None)
    if parts.scheme != "https" and not is_loopback(host):
        return KeyPlan(None, problem=f"would send ${env} over plain {parts.scheme or 'http'} to {host}: "
                       "use an https base_url")
    return KeyPlan(env, required=not is_loopback(host))
