"""The registry a service module registers itself with: operations by Webitel's operationId,
refusals of what would make two services collide, events between stores, and crud."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from emulator.api.request import Call
from emulator.api.service import Service, load_services, served_routes
from emulator.errors import WebitelError, bad_request
from emulator.state import LISTENERS, World
from emulator.store import Record, Store, Table, UniqueIndex, on


@pytest.fixture
def scratch_service():
    """A service registered for one test only (the registry is the process's)."""
    made: list[str] = []

    def make(name: str, **kwargs) -> Service:
        service = Service(name, permission="test", **kwargs)
        made.append(name)
        return service

    yield make
    for name in made:
        Service.registry.pop(name, None)


def test_every_module_registers_itself():
    routes = load_services()
    assert {"ReadUser", "CreateRegion", "SearchAgent", "PatchQueueSkill"} <= set(routes)
    assert routes == served_routes()
    for op_id, route in routes.items():
        assert route.op.op_id == op_id and route.service.name == route.op.service


def test_a_service_name_is_registered_once(scratch_service):
    with pytest.raises(ValueError, match="registered twice"):
        scratch_service("RegionService")


def test_an_operation_must_be_webitels_and_of_the_service(scratch_service):
    api = scratch_service("TestOnlyService")  # a name no Webitel service has
    with pytest.raises(KeyError, match="no operation 'ReadBuckets'"):
        api.operation("ReadBuckets")
    with pytest.raises(ValueError, match="belongs to RegionService"):
        api.operation("ReadRegion")


def test_an_operation_is_served_once():
    with pytest.raises(ValueError, match="ReadRegion is served twice"):
        Service.registry["RegionService"].operation("ReadRegion")


@dataclass
class Thing(Record):
    name: str = ""


class Things(Table[Thing]):
    kind = "thing"

    def __init__(self, domain) -> None:
        super().__init__(domain)
        self.names = UniqueIndex()
        self.heard: list[str] = []

    @on("test.thing.deleting")
    def _refuse(self, name: str) -> None:
        self.heard.append(name)
        if name == "keep":
            raise bad_request("test.thing.kept", "kept")


class Others(Store):
    @on("test.thing.deleting")
    def _note(self, name: str) -> None:
        self.domain.store(Things).heard.append(f"others saw {name}")


def test_stores_hear_the_events_they_listen_to():
    assert (Things, "_refuse") in LISTENERS["test.thing.deleting"]
    domain = World().add_domain("d")
    domain.emit("test.thing.deleting", "go")
    assert domain.store(Things).heard == ["go", "others saw go"]
    with pytest.raises(WebitelError, match="kept"):
        domain.emit("test.thing.deleting", "keep")


def test_a_table_gives_ids_audit_columns_and_its_not_found_error():
    domain = World().add_domain("d")
    things = domain.store(Things)
    first, second = things.insert(Thing(name="a"), 7), things.insert(Thing(name="b"), 7)
    assert (first.id, second.id, first.created_by, len(things)) == (1, 2, 7, 2)
    assert things.pop(1) is first and 1 not in things
    with pytest.raises(WebitelError) as error:
        things.get(1)
    assert (error.value.code, error.value.id) == (404, "app.thing.not_found")


def test_a_unique_index_folds_case_and_moves_keys():
    index = UniqueIndex()
    index.move("", "Ann", 1)
    assert index.taken("ANN", 2) and not index.taken("ann", 1) and not index.taken("", 2)
    index.move("Ann", "Bea", 1)
    assert not index.taken("ann", 2) and index.owner("bea") == 1


def test_a_view_gets_a_typed_call(webitel_emulator):
    seen: list[Call] = []
    route = served_routes()["ReadRegion"]
    original = route.view
    object.__setattr__(route, "view", lambda call: seen.append(call) or original(call))
    try:
        webitel_emulator.client.get("/regions/12", params={"colour": "red"})
    finally:
        object.__setattr__(route, "view", original)
    [call] = seen
    assert (call.path, call.query, call.fields, call.op.op_id) == ({"id": 12}, {}, None, "ReadRegion")
