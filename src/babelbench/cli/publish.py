"""`harness publish`: the store's results to the Hugging Face Hub in one commit."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from .. import paths


def publish(
    repo: Annotated[str, typer.Option("--repo", help="Dataset repo, ORG/NAME.")],
    store: Annotated[Path, typer.Option("--store", help="Results store.")] = paths.DEFAULT_STORE,
    variants: Annotated[Optional[list[str]], typer.Option("--variants", "--variant",
                                                          help="Only these variants (repeatable).")] = None,
    private: Annotated[bool, typer.Option("--private", help="Create the repos private; a repo that "
                                           "exists and is public is refused, before any upload.")] = False,
    with_samples: Annotated[bool, typer.Option("--with-samples", help="Also publish every answer.")] = False,
    models: Annotated[bool, typer.Option("--models", help="Also publish each variant's LoRA adapter to "
                                                          "ORG/NAME-<variant>, with a model card and model-index.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the files and the card; send nothing.")] = False,
    endpoint: Annotated[Optional[str], typer.Option("--endpoint", help="Hub endpoint (default: HF_ENDPOINT or "
                                                                       "huggingface.co).")] = None,
) -> None:
    """Publish results (Parquet tables + dataset card) to the Hub; an unchanged store makes no commit."""
    from ..publish.hub import PublishError
    from ..publish.hub import publish as run_publish
    from ..store import StoreError

    _check_repo(repo)
    try:
        run_publish(store, repo, variants=variants, private=private, with_samples=with_samples, models=models,
                    dry_run=dry_run, endpoint=endpoint, echo=typer.echo)
    except (PublishError, StoreError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    except Exception as exc:  # the Hub client's errors (HTTP, offline mode, auth, no connection), on one line
        message = _hub_error(exc, endpoint)
        if message is None:
            raise
        typer.echo(f"error: {message}", err=True)
        raise typer.Exit(1) from None


def _check_repo(repo: str) -> None:
    """ORG/NAME, both parts non-empty and a repo id the Hub takes; else a usage error (exit 2)."""
    org, slash, name = repo.partition("/")
    if not (slash and org and name) or "/" in name:
        raise typer.BadParameter("must be ORG/NAME", param_hint="--repo")
    from huggingface_hub.errors import HFValidationError
    from huggingface_hub.utils import validate_repo_id

    try:
        validate_repo_id(repo)
    except HFValidationError as exc:
        raise typer.BadParameter(f"must be ORG/NAME: {_first_line(str(exc))}", param_hint="--repo") from None


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _hub_error(exc: Exception, endpoint: str | None) -> str | None:
    """A one-line message for an error from the Hub client or the HTTP library under it; None for
    any other error (a bug, shown with its traceback)."""
    from huggingface_hub import constants
    from huggingface_hub.errors import HfHubHTTPError

    where = (endpoint or constants.ENDPOINT).rstrip("/")
    if isinstance(exc, HfHubHTTPError) and getattr(exc, "response", None) is not None:
        response = exc.response
        url = _safe(lambda: response.request.url) or _safe(lambda: exc.request.url)
        if url is not None:   # the endpoint and the path the call went to, without a query
            where = str(url).split("?", 1)[0]
        reason = getattr(response, "reason_phrase", "") or getattr(response, "reason", "") or ""
        detail = _first_line(exc.server_message or "")
        if not detail and type(exc) is not HfHubHTTPError:
            detail = type(exc).__name__   # e.g. RepositoryNotFoundError, when the server said nothing
        request_id = f" (request id {exc.request_id})" if getattr(exc, "request_id", None) else ""
        return (f"HTTP {response.status_code} {reason}".rstrip() + f" from {where}"
                + (f": {detail}" if detail else "") + request_id)
    if type(exc).__module__.startswith("huggingface_hub"):
        return f"{type(exc).__name__}: {_first_line(str(exc))}"
    if isinstance(exc, _connection_errors()):
        return f"cannot reach the Hub at {where}: {type(exc).__name__}: {_first_line(str(exc)) or 'no detail'}"
    return None


def _safe(get):
    """``get()``, or None where it raises (httpx's ``.request`` raises when it was never set)."""
    try:
        return get()
    except Exception:
        return None


def _connection_errors() -> tuple[type[BaseException], ...]:
    """Connection and timeout errors of the HTTP libraries the Hub client may use (httpx2 for
    huggingface_hub 2.x, httpx for 1.x, requests before) -- those loaded, as an error from one
    means it is -- and the standard library's."""
    classes: list[type[BaseException]] = [ConnectionError, TimeoutError]
    for module, names in (("httpx2", ("TransportError",)), ("httpx", ("TransportError",)),
                          ("requests", ("ConnectionError", "Timeout"))):
        lib = sys.modules.get(module)
        classes += [getattr(lib, n) for n in names if isinstance(getattr(lib, n, None), type)]
    return tuple(classes)
