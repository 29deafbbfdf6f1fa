"""The contract machinery itself: a misnamed or mistyped field must fail validation."""

from contract_tests.schema import contract


def test_a_user_as_webitel_writes_it_validates():
    user = {"id": "7", "username": "ann", "device": {"id": "3", "name": "ann"}, "license": [{"id": "s", "prod": "CC"}]}
    assert contract().errors("GET", "/users/7", 200, user) == []


def test_a_misnamed_field_fails():
    assert contract().errors("GET", "/users/7", 200, {"id": "7", "userName": "ann"})


def test_an_int64_written_as_a_number_fails():
    assert contract().errors("GET", "/users/7", 200, {"id": 7})


def test_an_error_must_be_webitels_envelope():
    assert contract().errors("GET", "/users/7", 404, {"code": 5, "message": "not found"})
    assert contract().errors("GET", "/users/7", 404,
                             {"id": "app.user.not_found.error", "code": 404, "status": "Not Found", "detail": ""}) == []


def test_every_answer_of_a_walk_through_validates(api):
    created = api.post("/users?generate_device=true", json={"username": "contract_smoke", "extension": "5901"})
    assert created.status_code == 200
    user_id = created.json()["id"]
    assert api.get(f"/users/{user_id}").json()["device"]["id"]
    assert api.get("/users", params={"q": "contract*"}).json()["items"][0]["id"] == user_id
    assert api.get("/license").status_code == 200
    assert api.get("/roles").status_code == 200
    assert api.delete(f"/users/{user_id}", params={"permanent": "true"}).status_code == 200
