"""The pytest plugin as a partner uses it: installed with the package, nothing else in their project.

Each test runs pytest in a subprocess from an empty directory, so the only thing that can provide the
fixtures is the ``pytest11`` entry point of the installed package."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

# The README's five-line example (docs/emulator.md, "Fixtures").
PARTNER_TEST = '''
def test_a_new_agent_gets_a_phone(webitel_emulator):
    api = webitel_emulator.client
    r = api.post("/users?generate_device=true", json={"username": "ann", "extension": "3001"})
    assert r.status_code == 200 and r.json()["device"]["id"]
    assert api.post("/users", json={"username": "bob", "extension": "3001"}).status_code == 409
'''


def run_pytest(directory: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
                          cwd=directory, capture_output=True, text=True, timeout=120)


def test_a_partners_five_line_test_passes_with_only_the_plugin(tmp_path):
    (tmp_path / "test_partner.py").write_text(PARTNER_TEST)
    done = run_pytest(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout


def test_every_test_gets_a_fresh_emulator(tmp_path):
    (tmp_path / "test_fresh.py").write_text(textwrap.dedent('''
        import pytest

        @pytest.mark.parametrize("round", [1, 2])
        def test_same_username_each_time(webitel_emulator, round):
            r = webitel_emulator.client.post("/users", json={"username": "ann", "extension": "3001"})
            assert r.status_code == 200, r.text

        @pytest.mark.parametrize("round", [1, 2])
        def test_a_seed_does_not_leak_into_the_next_test(webitel_emulator, round):
            assert webitel_emulator.client.get("/userinfo").json()["domain"] == "demo"
            webitel_emulator.seed({"domains": [{"name": "other", "admin": {"token": "other"}}]})
            webitel_emulator.add_fault(path="/api/*", action="error")

        def test_the_server_fixture_listens_on_a_real_port(webitel_emulator_server):
            import httpx
            assert webitel_emulator_server.base_url.startswith("http://127.0.0.1:")
            r = httpx.get(webitel_emulator_server.base_url + "/users",
                          headers={"X-Webitel-Access": webitel_emulator_server.token})
            assert [u["username"] for u in r.json()["items"]] == ["admin", "jsmith", "mbrown"]
    '''))
    done = run_pytest(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "5 passed" in done.stdout


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_webitel_seed_option(tmp_path, suffix):
    seed = tmp_path / f"seed{suffix}"
    seed.write_text('{"domains": [{"name": "partner", "admin": {"token": "partner-token"},'
                    ' "users": [{"username": "ann"}]}]}')  # JSON is YAML too
    (tmp_path / "test_seeded.py").write_text(textwrap.dedent('''
        def test_the_seed_is_the_partners(webitel_emulator):
            assert webitel_emulator.token == "partner-token"
            assert [u["username"] for u in webitel_emulator.client.get("/users").json()["items"]] == ["admin", "ann"]
    '''))
    done = run_pytest(tmp_path, f"--webitel-seed={seed}")
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_bad_seed_option_fails_the_session_with_the_reason(tmp_path):
    seed = tmp_path / "seed.json"
    seed.write_text('{"domains": [{"name": "p", "users": [{"username": "a b"}]}]}')
    (tmp_path / "test_any.py").write_text("def test_any(webitel_emulator):\n    pass\n")
    done = run_pytest(tmp_path, f"--webitel-seed={seed}")
    assert done.returncode != 0
    assert "domains[0].users[0]: api.process.bad_args" in done.stdout
