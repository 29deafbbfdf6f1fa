"""webitel.go's services in the emulator, white-box and through the control plane: the presence
vocabulary every door shares, the super-administrators of a seed with several domains, and the
secrets kept out of GET /__emulator__/state."""

from __future__ import annotations

import pytest

from emulator.directory.users import presence_set
from emulator.seed import SeedError, build_world

TWO = {"domains": [{"name": "first", "admin": {"token": "first-admin"}},
                   {"name": "second", "admin": {"token": "second-admin"},
                    "users": [{"username": "ann", "presence": "sip, dnd", "token": "ann-token"}]}]}


@pytest.mark.parametrize("text, expected", [("", ""), ("sip", "sip"), (" sip , web ", "sip,web"),
                                            ("dnd,sip,dnd", "dnd,sip"), ("dlg", "dlg")])
def test_a_presence_is_a_set_of_presentities(text, expected):
    assert presence_set(text) == expected


@pytest.mark.parametrize("text", ["busy", "sip,away", "SIP"])
def test_an_unknown_presentity_is_refused(text):
    with pytest.raises(ValueError, match="unknown presence"):
        presence_set(text)


def test_the_seed_and_the_control_plane_take_the_same_presences(webitel_emulator):
    webitel_emulator.seed(TWO)
    ann = webitel_emulator.state()["domains"][1]["users"][1]
    assert ann["presence"] == {"status": "sip,dnd"}
    assert webitel_emulator.set_presence(ann["id"], "dnd")["presence"] == {"status": "dnd"}
    refused = webitel_emulator.control("POST", f"/presence/{ann['id']}", json={"status": "busy"})
    assert refused.status_code == 400 and refused.json()["id"] == "emulator.presence.invalid"
    with pytest.raises(SeedError, match=r"domains\[1\]\.users\[0\]\.presence: unknown presence 'busy'"):
        build_world({"domains": [TWO["domains"][0], {**TWO["domains"][1], "users": [{"username": "a",
                                                                                       "presence": "busy"}]}]})


def test_the_first_domains_administrators_are_the_super_administrators(webitel_emulator):
    webitel_emulator.seed(TWO)
    first, second = webitel_emulator.api_client("first-admin"), webitel_emulator.api_client("second-admin")
    assert [d["domain"] for d in first.get("/domains").json()["domains"]] == ["first", "second"]
    assert [d["domain"] for d in second.get("/domains").json()["domains"]] == ["second"]
    dc = second.get("/domain").json()["domain"]["dc"]
    assert second.get("/domain", params={"domain": "first"}).json()["id"] == "app.domain.not_found"
    assert first.get(f"/domains/{dc}").json()["domain"]["domain"] == "second"
    with webitel_emulator.api_client("ann-token") as ann:  # not an administrator: only reads
        assert ann.get("/domain").json()["domain"]["domain"] == "second"
        assert ann.get("/domains").json()["domains"][0]["domain"] == "second"


def test_the_state_keeps_the_two_factor_key_secret(webitel_emulator):
    api = webitel_emulator.client
    user_id = api.get("/users", params={"username": "jsmith"}).json()["items"][0]["id"]
    url = api.post(f"/users/{user_id}/2fa").json()["totp"]["url"]
    state = webitel_emulator.state()["domains"][0]
    [jsmith] = [u for u in state["users"] if u["id"] == user_id]
    assert "totp_url" not in jsmith and jsmith["has_2fa_key"] is True
    assert url.split("secret=")[1].split("&")[0] not in str(state)
    assert state["organization"]["domain"] == "demo" and state["customer"]["license"]
