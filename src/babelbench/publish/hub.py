"""`harness publish`: the results dataset (and, on request, each variant's adapter) to the Hub.

All dataset files go in one ``create_commit`` whose parent is the revision read at the start,
so a concurrent change makes the publish fail instead of overwriting it. A ``manifest.json``
(path -> sha256) is published with the files; when the local files match the published
manifest, no commit is made. The token comes from ``HF_TOKEN`` or the user's Hub login and is
passed to the client only -- never printed, stored or written into a file. With ``private``, a target
repo that already exists and is public is refused before anything is uploaded (creating it "private"
would change nothing and publish in the open). ``--models`` publishes the weights the scores belong to:
the checkpoint the variant's selection chose, else its final adapter; the model card says which.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"


class PublishError(RuntimeError):
    pass


@dataclass
class Published:
    repo: str
    files: dict[str, str]                      #: path -> sha256 of what was (or would be) published
    commit: str | None = None                  #: None: nothing changed, or a dry run
    models: list[str] = field(default_factory=list)


def manifest(files: dict[str, bytes]) -> dict[str, str]:
    return {path: hashlib.sha256(content).hexdigest() for path, content in sorted(files.items())}


def _token() -> str | None:
    from huggingface_hub import get_token

    return os.environ.get("HF_TOKEN") or get_token()


def publish_files(api, repo: str, files: dict[str, bytes], *, private: bool, repo_type: str = "dataset",
                  message: str = "babelbench results") -> Published:
    from huggingface_hub import CommitOperationAdd
    from huggingface_hub.errors import EntryNotFoundError, HfHubHTTPError

    local = manifest(files)
    api.create_repo(repo, repo_type=repo_type, private=private, exist_ok=True)
    info = api.repo_info(repo, repo_type=repo_type)
    if private and info.private is False:   # it existed, public: create_repo(exist_ok) changes nothing
        raise PublishError(_public_already([f"{repo_type} {repo}"]))
    head = info.sha
    try:
        remote_path = api.hf_hub_download(repo, MANIFEST, repo_type=repo_type, revision=head)
        remote = json.loads(Path(remote_path).read_text())
    except EntryNotFoundError:
        remote = None
    if remote == local:
        return Published(repo, local)
    operations = [CommitOperationAdd(path, content) for path, content in sorted(files.items())]
    operations.append(CommitOperationAdd(MANIFEST, json.dumps(local, indent=1, sort_keys=True).encode()))
    try:
        commit = api.create_commit(repo, operations, commit_message=message, repo_type=repo_type,
                                   parent_commit=head)
    except HfHubHTTPError as exc:
        status = getattr(getattr(exc, "response", None), "status_code", None)
        if status in (409, 412):
            raise PublishError(f"{repo} changed while publishing (it is no longer at {head[:12]}); nothing was "
                               "overwritten. Publish again to build on the new revision.") from None
        raise
    return Published(repo, local, commit=commit.oid)


def _public_already(repos: list[str]) -> str:
    return (f"--private, but {', '.join(repos)} already exist{'s' if len(repos) == 1 else ''} and "
            f"{'is' if len(repos) == 1 else 'are'} public: publishing would make these files public. Nothing was "
            "published. Make the repo private on the Hub first, or publish without --private.")


def refuse_public_targets(api, targets: list[tuple[str, str]]) -> None:
    """With ``--private``: refuse before any upload when a target repo ((repo, type)) exists and is public."""
    from huggingface_hub.errors import RepositoryNotFoundError

    public = []
    for repo, repo_type in targets:
        try:
            if api.repo_info(repo, repo_type=repo_type).private is False:
                public.append(f"{repo_type} {repo}")
        except RepositoryNotFoundError:
            continue
    if public:
        raise PublishError(_public_already(public))


_REPO_NAME_MAX = 96   # the Hub's limit on a repo name (the part after ORG/)


def model_repo_name(repo: str, variant: str) -> str:
    """``ORG/NAME-<slug>``: the variant name lower-cased, each run of other characters made one
    ``-``, and each run of separators (``.``, ``-``, ``_``) collapsed to one, none at either end --
    the Hub refuses ``--``, ``..``, a leading or trailing separator, a trailing ``.git`` and names
    over 96 characters (a too long slug is cut and keeps a short hash of the variant name)."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", variant).lower()
    slug = re.sub(r"[._-]{2,}", "-", slug).strip("._-")
    if slug.endswith(".git"):
        slug = slug[:-4] + "-git"
    digest = hashlib.sha256(variant.encode()).hexdigest()[:8]
    room = _REPO_NAME_MAX - len(repo.rpartition("/")[2]) - 1
    if not slug or len(slug) > room:
        slug = "-".join(filter(None, [slug[:max(room - 9, 0)].rstrip("._-"), digest]))
    return f"{repo}-{slug}"


def model_card(variant: dict[str, Any], recipe: str, results: list[dict[str, Any]], dataset_repo: str,
               step: int | None = None) -> str:
    """A model card whose metadata carries the variant's results as ``model-index``; it says which
    checkpoint the adapter is (the final one, or the one kept at ``step`` that selection chose)."""
    from huggingface_hub import EvalResult, ModelCard, ModelCardData

    base = variant["base_model"]
    evals = [EvalResult(task_type="text-generation", dataset_type=dataset_repo, dataset_name=r["task"],
                        dataset_config=r["task"],  # the Hub groups results by config: one group per task
                        metric_type=r["metric"], metric_value=float(r["value"]))
             for r in results if r["value"] is not None]
    data = ModelCardData(base_model=base if "/" in base else None, library_name="peft",
                         tags=["babelbench", "multilingual", "lora"], model_name=variant["variant"],
                         eval_results=evals or None)
    checkpoint = ("the final adapter of its training" if step is None else
                  f"the checkpoint kept at training step {step}, chosen by the recipe's checkpoint selection")
    body = (f"# {variant['variant']}\n\nA LoRA adapter (peft) for `{base}`, built and evaluated by babelbench. "
            f"Results: dataset `{dataset_repo}`.\n\n## Checkpoint\n\nThese weights are {checkpoint}; "
            f"the results are this checkpoint's.\n\n## Recipe\n\n```yaml\n{recipe.strip()}\n```\n")
    return str(ModelCard.from_template(data, template_str="---\n{{ card_data }}\n---\n\n" + body))


@dataclass(frozen=True)
class AdapterUpload:
    files: dict[str, bytes]   #: the adapter's files, by path inside its folder
    step: int | None          #: the kept checkpoint's step; None: the final adapter


def adapter_files(con, variant: str) -> AdapterUpload | None:
    """The variant's trained LoRA adapter (peft format) whose scores the store holds -- the checkpoint its
    selection chose, else the final adapter -- or None if it has none. A chosen checkpoint whose folder is
    gone is an error (publishing the final adapter instead would pair it with another checkpoint's scores)."""
    from ..core.locks import reading
    from ..store.publish_queries import trained_adapter
    from ..train.artifact import COMPLETE, TrainArtifact, TrainMethod

    found = trained_adapter(con, variant)   # the train folder of a LoRA variant, and the selected step
    if found is None:
        return None
    output, step = found
    folder = TrainArtifact(Path(output), TrainMethod.LORA).at_step(step).weights
    if not (folder / "adapter_config.json").is_file():
        if step is not None:
            raise PublishError(f"{variant}: its checkpoint selection chose step {step}, but that checkpoint's "
                               f"adapter is not at {folder}; nothing was published")
        return None
    with reading(Path(output)):   # --force on the train folder waits its turn (core.locks)
        files = {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
                 if p.is_file() and p.name != COMPLETE}
    return AdapterUpload(files, step)


def publish(store: Path, repo: str, *, variants: list[str] | None = None, private: bool = False,
            with_samples: bool = False, models: bool = False, dry_run: bool = False,
            endpoint: str | None = None, echo=print) -> list[Published]:
    """Publish the results dataset (and adapters); with ``dry_run``, only say what would be published."""
    from ..store import Store
    from ..store.board import evaluated_variants
    from ..store.queries import report_rows
    from .files import dataset_files
    from .tables import dataset_tables

    with Store(store).read() as con:
        files = dataset_files(con, variants=variants, with_samples=with_samples, title=f"{repo} (babelbench results)")
        model_uploads: list[tuple[str, dict[str, bytes]]] = []
        owners: dict[str, str] = {}   # model repo -> the variant publishing to it
        if models:
            tables = dataset_tables(con, variants)
            recipes = {r["variant"]: r["recipe"] for r in tables["recipes"]}
            meta = {r["variant"]: r for r in evaluated_variants(con)}
            rows = report_rows(con, include_judges=False)
            for name in sorted(recipes):
                upload = adapter_files(con, name)
                if upload is None:
                    echo(f"{name}: no LoRA adapter to publish (method {meta[name]['method']})")
                    continue
                results = [r for r in rows if r["variant"] == name and not r["metric"].startswith("pivot:")]
                adapter = dict(upload.files)
                adapter["README.md"] = model_card(meta[name], recipes[name], results, repo, upload.step).encode()
                model_repo = model_repo_name(repo, name)
                if model_repo in owners:
                    raise PublishError(f"variants {owners[model_repo]} and {name} would both publish their "
                                       f"adapter to {model_repo} (their names differ only in characters a repo name "
                                       "cannot hold); choose one of them with --variant")
                owners[model_repo] = name
                model_uploads.append((model_repo, adapter))
    if dry_run:
        echo(f"dry run: nothing is sent. Dataset {repo}:")
        for path, digest in {**manifest(files), MANIFEST: "(path -> sha256 of the files above)"}.items():
            echo(f"  {path}  {len(files[path]) if path in files else '-'} bytes  {digest}")
        for model_repo, adapter in model_uploads:
            echo(f"Model {model_repo}: " + ", ".join(sorted(adapter)))
        echo("\n--- README.md ---\n" + files["README.md"].decode())
        return [Published(repo, manifest(files))]

    from huggingface_hub import HfApi

    token = _token()
    if not token:
        raise PublishError("no Hub token: set HF_TOKEN or log in with `hf auth login`")
    api = HfApi(endpoint=endpoint, token=token)
    if private:
        refuse_public_targets(api, [(repo, "dataset"), *((m, "model") for m, _ in model_uploads)])
    done = [publish_files(api, repo, files, private=private)]
    echo(f"{repo}: " + (f"committed {done[0].commit}" if done[0].commit else "unchanged, no commit"))
    for model_repo, adapter in model_uploads:
        result = publish_files(api, model_repo, adapter, private=private, repo_type="model",
                               message="babelbench adapter")
        echo(f"{model_repo}: " + (f"committed {result.commit}" if result.commit else "unchanged, no commit"))
        done[0].models.append(model_repo)
        done.append(result)
    return done

