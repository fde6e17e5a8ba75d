"""Checks of how a run executes (``harness run --config`` / ``--address``): a Ray address is one Ray can
join -- ``auto``, ``ray://host:port`` or ``host:port`` -- found before any work, not when Ray starts."""

from __future__ import annotations

import re

_HOST = r"(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)"
_ADDRESS = re.compile(rf"^(?:ray://)?{_HOST}:(?P<port>[0-9]{{1,5}})$")
#: Words Ray takes instead of an address.
WORDS = ("auto", "local")


def address_problem(address: str) -> str | None:
    """Why ``address`` is no Ray address, or None."""
    match = _ADDRESS.match(address.strip())
    if address.strip() in WORDS or (match is not None and 0 < int(match["port"]) < 65536):
        return None
    return f"{address!r} is not a Ray address: auto, ray://host:port (a Ray client) or host:port (the head's GCS)"
