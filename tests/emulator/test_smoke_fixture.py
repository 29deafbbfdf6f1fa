def test_fixture_in_process(webitel_emulator):
    r = webitel_emulator.client.post("/users?generate_device=true", json={"username": "ann", "extension": "3001"})
    assert r.status_code == 200, r.text
    assert r.json()["device"]["id"]


def test_fixture_server(webitel_emulator_server):
    r = webitel_emulator_server.client.get("/users", params={"q": "j*"})
    assert [u["username"] for u in r.json()["items"]] == ["jsmith"]
