"""docs/recipes/ and .pre-commit-hooks.yaml: what they run exists, and they are safe."""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import typer
import yaml

from oncall.cli import app
from tests.conftest import REPO, SHIPPED_CONFIG, SHIPPED_RUNBOOKS, Run

RECIPES = REPO / "docs" / "recipes"
YAML_RECIPES = ["gitlab-ci.yml", "github-actions.yml", "k8s-cronjob.yaml"]
ROOT_OPTIONS_WITH_VALUE = {"--config-dir"}


def load_all(name: str) -> list[Any]:
    return [doc for doc in yaml.safe_load_all((RECIPES / name).read_text()) if doc is not None]


def strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from strings(key)
            yield from strings(value)
    elif isinstance(node, list):
        if node and all(isinstance(v, str) for v in node) and node[0] == "oncall":
            yield shlex.join(node)  # an exec-form command: ["oncall", "check", ...]
        else:
            for value in node:
                yield from strings(value)


def oncall_commands(name: str) -> list[list[str]]:
    """Every ``oncall ...`` command line the recipe runs (shell operators split)."""
    found: list[list[str]] = []
    for text in (s for doc in load_all(name) for s in strings(doc)):
        for line in text.splitlines():
            lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
            lexer.whitespace_split = True
            lexer.commenters = "#"
            command: list[str] = []
            for token in [*lexer, ";"]:
                if token in (";", "&&", "||", "|", "&"):
                    # a bare "oncall" is a name (a job, an account), not a command
                    if len(command) > 1 and command[0] == "oncall":
                        found.append(command[1:])
                    command = []
                else:
                    command.append(token)
    return found


def resolve(args: list[str]) -> tuple[list[str], Any, list[str]]:
    """The command path, the click command and the options used after it."""
    root = typer.main.get_command(app)
    rest = list(args)
    while rest and rest[0].startswith("-"):  # root options
        option = rest.pop(0)
        if option in ROOT_OPTIONS_WITH_VALUE and "=" not in option:
            rest.pop(0)
    command: Any = root
    path: list[str] = []
    while hasattr(command, "list_commands") and rest:  # a group, with click or typer 0.26+
        child = command.get_command(typer.Context(command), rest[0])
        if child is None:
            break
        path.append(rest.pop(0))
        command = child
    options = [token.split("=", 1)[0] for token in rest if token.startswith("--")]
    return path, command, options


@pytest.mark.parametrize("name", YAML_RECIPES)
def test_recipe_commands_exist_with_their_options(name: str, oncall: Run) -> None:
    commands = oncall_commands(name)
    assert commands, f"{name} runs no oncall command"
    for args in commands:
        path, command, options = resolve(args)
        assert path, f"{name}: `oncall {shlex.join(args)}` names no command"
        assert not hasattr(command, "list_commands"), f"{name}: {path} is a group"
        known = {opt for param in command.params for opt in param.opts}
        unknown = [o for o in options if o not in known]
        assert not unknown, f"{name}: `oncall {shlex.join(args)}`: no such option {unknown}"
        result = oncall(*path, "--help")
        assert result.exit_code == 0, (name, path)
        assert "Examples:" in result.stdout


def test_ci_recipes_validate_and_publish_the_calendar() -> None:
    for name in ("gitlab-ci.yml", "github-actions.yml"):
        commands = [shlex.join(c) for c in oncall_commands(name)]
        assert "validate" in commands, name
        assert any(c.startswith("calendar export public/") for c in commands), name
    gitlab = load_all("gitlab-ci.yml")[0]
    assert gitlab["pages"]["artifacts"]["paths"] == ["public"]
    assert "oncall validate" in gitlab["validate"]["script"]
    github = load_all("github-actions.yml")[0]
    triggers = github.get("on", github.get(True))  # YAML 1.1 reads a bare `on` as true
    assert "push" in triggers and "pull_request" in triggers
    steps = github["jobs"]["publish"]["steps"]
    assert any(s.get("uses", "").startswith("actions/deploy-pages@") for s in steps)


def test_ci_recipes_show_the_schedule_diff_on_merge_requests() -> None:
    gitlab = load_all("gitlab-ci.yml")[0]["schedule-diff"]
    assert gitlab["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
    assert any(
        "schedule diff --against" in line and "CI_MERGE_REQUEST_TARGET_BRANCH_NAME" in line
        for line in gitlab["script"]
    )
    github = load_all("github-actions.yml")[0]["jobs"]["schedule-diff"]
    assert github["if"] == "github.event_name == 'pull_request'"
    checkout = github["steps"][0]
    assert checkout["uses"].startswith("actions/checkout@")
    assert checkout["with"]["fetch-depth"] == 0  # git show needs the base branch
    assert any("schedule diff --against" in s.get("run", "") for s in github["steps"])


def test_cronjob_every_15_minutes_with_workload_identity() -> None:
    docs = load_all("k8s-cronjob.yaml")
    by_kind = {doc["kind"]: doc for doc in docs}
    [cron] = [d for d in docs if d["kind"] == "CronJob" and d["metadata"]["name"] == "oncall-check"]
    assert cron["spec"]["schedule"] == "*/15 * * * *"
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    job = cron["spec"]["jobTemplate"]["spec"]
    assert job["backoffLimit"] == 0  # a failed check must not re-run and page again
    pod = job["template"]["spec"]
    [container] = pod["containers"]
    assert container["command"] == ["oncall", "check", "--all", "--page"]
    account = by_kind["ServiceAccount"]
    assert pod["serviceAccountName"] == account["metadata"]["name"]
    gsa = account["metadata"]["annotations"]["iam.gke.io/gcp-service-account"]
    assert gsa.endswith(".iam.gserviceaccount.com")
    assert [e["secretRef"]["name"] for e in container["envFrom"]] == ["oncall-paging"]
    # No key files: no secret volumes, no credentials variable, no JSON key anywhere.
    assert all("secret" not in volume for volume in pod.get("volumes", []))
    env_names = {e["name"] for e in container.get("env", [])}
    assert "GOOGLE_APPLICATION_CREDENTIALS" not in env_names
    assert_on_the_shared_store(docs, pod)


def _store_url(container: dict[str, Any]) -> str:
    [url] = [e["value"] for e in container["env"] if e["name"] == "ONCALL_STATE_URL"]
    return str(url)


def assert_on_the_shared_store(docs: list[dict[str, Any]], pod: dict[str, Any]) -> None:
    """The team's Cloud SQL store through the Auth Proxy as a native sidecar: no volume."""
    assert not [d for d in docs if d["kind"] == "PersistentVolumeClaim"]
    assert all("persistentVolumeClaim" not in v for v in pod.get("volumes", []))
    [proxy] = pod["initContainers"]
    assert proxy["image"].startswith("gcr.io/cloud-sql-connectors/cloud-sql-proxy:")
    assert proxy["restartPolicy"] == "Always"  # a native sidecar
    assert "--auto-iam-authn" in proxy["args"] and "startupProbe" in proxy
    [instance] = [a for a in proxy["args"] if not a.startswith("-")]
    assert instance.count(":") == 2  # PROJECT:REGION:INSTANCE
    [container] = pod["containers"]
    url = urlsplit(_store_url(container))
    assert url.scheme == "postgresql" and url.hostname == "127.0.0.1"
    assert url.port == 5432 and url.password is None  # IAM database auth: no password
    assert url.username == "oncall-checks%40my-gcp-project.iam"
    env_names = {e["name"] for e in container["env"]}
    assert "ONCALL_STATE_DB" not in env_names and "PGPASSWORD" not in env_names
    account = next(d for d in docs if d["kind"] == "ServiceAccount")
    assert pod["serviceAccountName"] == account["metadata"]["name"]


def test_cronjob_escalates_and_flushes_every_5_minutes_on_the_same_store() -> None:
    docs = load_all("k8s-cronjob.yaml")
    jobs = {d["metadata"]["name"]: d for d in docs if d["kind"] == "CronJob"}
    cron = jobs["oncall-escalate"]
    assert cron["spec"]["schedule"] == "*/5 * * * *"
    pod = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    [container] = pod["containers"]
    script = container["command"][-1]
    assert script.index("oncall escalate") < script.index("oncall page flush")
    assert_on_the_shared_store(docs, pod)
    check = jobs["oncall-check"]["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    assert _store_url(container) == _store_url(check["containers"][0])


def test_gitlab_publishes_to_pagerduty_after_a_merge_to_main() -> None:
    job = load_all("gitlab-ci.yml")[0]["publish-pagerduty"]
    assert job["rules"] == [{"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"}]
    assert job["needs"] == ["validate"] and job["resource_group"]
    assert [line for line in job["script"] if line.startswith("oncall ")] == [
        "oncall publish pagerduty --weeks 8"
    ]
    text = (RECIPES / "gitlab-ci.yml").read_text()
    assert "ONCALL_PAGERDUTY_API_TOKEN" in text and "ONCALL_STATE_URL" in text


def test_cronjob_publishes_slack_every_15_minutes() -> None:
    docs = load_all("k8s-cronjob.yaml")
    [cron] = [
        d
        for d in docs
        if d["kind"] == "CronJob" and d["metadata"]["name"] == "oncall-publish-slack"
    ]
    assert cron["spec"]["schedule"] == "*/15 * * * *"
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    pod = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    [container] = pod["containers"]
    assert container["command"] == ["oncall", "publish", "slack"]
    assert [e["secretRef"]["name"] for e in container["envFrom"]] == ["oncall-publish"]
    # the same store as the check job: the last holder announced is remembered
    assert_on_the_shared_store(docs, pod)
    [check] = [
        d for d in docs if d["kind"] == "CronJob" and d["metadata"]["name"] == "oncall-check"
    ]
    check_pod = check["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    assert _store_url(container) == _store_url(check_pod["containers"][0])
    assert all("secret" not in volume for volume in pod["volumes"])


@pytest.mark.parametrize("name", [*YAML_RECIPES, "README.md"])
def test_no_key_files(name: str) -> None:
    text = (RECIPES / name).read_text()
    data_lines = [line for line in text.splitlines() if "GOOGLE_APPLICATION_CREDENTIALS" in line]
    if name == "README.md":  # the README may only warn against it
        assert all("Never" in line or "never" in line for line in data_lines), data_lines
    else:
        assert not data_lines
    assert "keys create" not in text and "key.json" not in text


# --------------------------------------------------------------------------- pre-commit


def test_hook_definition() -> None:
    hook, diff = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert diff["id"] == "oncall-schedule-diff" and diff["entry"] == "oncall schedule diff"
    assert diff["verbose"] is True and diff["pass_filenames"] is False
    assert re.compile(diff["files"]).search("config/rotation.yaml")
    assert not re.compile(diff["files"]).search("runbooks/profit.yaml")
    assert hook["id"] == "oncall-validate"
    assert hook["language"] == "python"
    assert hook["entry"] == "oncall validate"
    assert hook["pass_filenames"] is False

    pattern = re.compile(hook["files"])
    assert pattern.search("config/owners.yaml") and pattern.search("runbooks/profit.yml")
    assert not pattern.search("docs/recipes/k8s-cronjob.yaml")
    assert not pattern.search("config/notes.txt")


def _pre_commit() -> list[str] | None:
    if importlib.util.find_spec("pre_commit") is not None:
        return [sys.executable, "-m", "pre_commit"]
    found = shutil.which("pre-commit")
    return [found] if found else None


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        timeout=60,
    )


def _hook_repo(tmp_path: Path) -> Path:
    """The working tree of this project as a committed git repository (try-repo needs one)."""
    repo = tmp_path / "hook-repo"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPO / "oncall", repo / "oncall", ignore=ignore)
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "LICENSE"):
        if (REPO / name).is_file():
            shutil.copy2(REPO / name, repo / name)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "hook repo")
    return repo


def _recipe_pre_commit_config(hooks: Path) -> str:
    """The recipe's ``.pre-commit-config.yaml``, pointing at ``hooks`` at its current commit."""
    text = (RECIPES / "README.md").read_text()
    found = re.search(r"```yaml\n(# \.pre-commit-config\.yaml.*?)```", text, re.DOTALL)
    assert found, "docs/recipes/README.md has no .pre-commit-config.yaml block"
    config = yaml.safe_load(found.group(1))
    [repo] = config["repos"]
    rev = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=hooks, check=True, capture_output=True, text=True
    ).stdout.strip()
    repo.update(repo=str(hooks), rev=rev)
    return yaml.safe_dump(config)


@pytest.mark.timeout(600)
def test_pre_commit_runs_the_hook_as_the_recipe_configures_it(tmp_path: Path) -> None:
    pre_commit = _pre_commit()
    if pre_commit is None:
        pytest.skip("pre-commit is not installed (pip install pre-commit, or the dev extras)")
    hooks = _hook_repo(tmp_path)
    project = tmp_path / "project"
    shutil.copytree(SHIPPED_CONFIG, project / "config")
    shutil.copytree(SHIPPED_RUNBOOKS, project / "runbooks")
    (project / ".pre-commit-config.yaml").write_text(_recipe_pre_commit_config(hooks))
    _git(project, "init", "-q")
    _git(project, "add", "-A")
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "NO_COLOR": "1",
    }
    env.pop("ONCALL_CONFIG_DIR", None)

    def run_hooks() -> subprocess.CompletedProcess[str]:
        # The hook's environment is built once, for (repo, rev), and reused by the second run.
        return subprocess.run(
            [*pre_commit, "run", "--all-files"],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=540,
            check=False,
        )

    good = run_hooks()
    assert good.returncode == 0, good.stdout + good.stderr
    assert "oncall validate" in good.stdout and "Passed" in good.stdout
    owners = project / "config" / "owners.yaml"
    owners.write_text(owners.read_text().replace("secondary: de4", "secondary: de9", 1))
    _git(project, "add", "-A")
    bad = run_hooks()
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "Failed" in bad.stdout
    assert "unknown person 'de9'" in bad.stdout
