"""The Creatio side's operations mean the same on every side: the embedded store (SQLite and
PostgreSQL) and a Creatio over OData 4 (the stand-in, or a live one). Names are scoped with
``records.name`` so that the tests also hold in a live Creatio that has records of its own."""

import uuid

import pytest

from connector.creatio import Account, NewContact, SystemUserType
from connector.errors import ValidationFailed
from connector.services.names import name_key


def test_a_system_user_with_its_contact_and_account(side, records):
    user_id = records.system_user("jsmith", "John Smith", account="Acme")
    user = side.get_system_user(user_id)
    assert (user.id, user.name, user.type, user.active) == (user_id, records.name("jsmith"), SystemUserType.EMPLOYEE,
                                                            True)
    assert user.contact.name == records.name("John Smith") and isinstance(user.contact.id, uuid.UUID)
    assert user.account.name == records.name("Acme")
    assert user.created_at is not None and user.created_at.tzinfo is not None


def test_a_portal_user_without_an_account(side, records):
    user = side.get_system_user(records.system_user("pclient", "Paul Client", type="portal", account=None))
    assert user.type == SystemUserType.PORTAL and user.account is None


def test_unknown_ids_org_units_and_roles_are_not_system_users(side, records):
    assert side.get_system_user(uuid.uuid4()) is None
    assert side.get_system_user(records.org_unit("Sales")) is None


def test_a_deactivated_user_is_read_as_inactive(side, records):
    user_id = records.system_user("oldtimer")
    records.deactivate(user_id)
    assert side.get_system_user(user_id).active is False


def test_system_users_are_listed_by_login_in_pages(side, records):
    for login in ("cuser", "auser", "buser"):
        records.system_user(login)
    records.org_unit("an-org-unit")  # matches the search, but is no system user
    scope = records.name("")
    first = side.list_system_users(page=1, size=2, q=scope)
    assert [u.name for u in first.items] == [records.name("auser"), records.name("buser")]
    assert (first.page, first.size, first.total) == (1, 2, 3)
    assert [u.name for u in side.list_system_users(page=2, size=2, q=scope).items] == [records.name("cuser")]
    assert side.list_system_users(page=3, size=2, q=scope).items == []


def test_system_users_are_searched_by_login_or_contact_name_and_filtered_by_type(side, records):
    records.system_user("jsmith", "John Smith")
    records.system_user("mbrown", "Mary Brown")
    records.system_user("pclient", "Paul Client", type="portal")

    def names(**query):
        return [u.name for u in side.list_system_users(page=1, size=50, **query).items]

    assert names(q=records.name("mbr")) == [records.name("mbrown")]
    assert names(q=records.name("MARY  b").upper()) == [records.name("mbrown")]  # case and spaces do not matter
    assert names(q=records.name(""), type=SystemUserType.PORTAL) == [records.name("pclient")]
    assert names(q=records.name("nobody")) == []


def test_contacts_and_accounts_are_listed_and_searched(side, records):
    acme = records.account("Acme")
    records.contact("John Smith", acme)
    records.contact("Mary Brown")
    records.account("Contoso")
    contacts = side.list_contacts(page=1, size=50, q=records.name("john"))
    assert [(c.name, c.account.name) for c in contacts.items] == [(records.name("John Smith"), records.name("Acme"))]
    assert side.list_contacts(page=1, size=50, q=records.name("")).total == 2
    assert [a.name for a in side.list_accounts(page=1, size=50, q=records.name("")).items] == [
        records.name("Acme"), records.name("Contoso")]
    assert side.list_accounts(page=1, size=50, q=records.name("CONT")).total == 1


def test_contacts_are_found_by_their_normalised_name_only(side, records):
    john = records.contact("John Smith")
    records.contact("John Smithson")
    records.contact("Smith John")
    found = side.find_contacts_by_name("  " + records.name("JOHN   smith") + " ")
    assert [c.id for c in found] == [john]
    assert side.find_contacts_by_name(records.name("John")) == []


def test_the_name_asked_for_is_normalised_too(side, records):
    zoe = records.contact("Zoe Wide")
    assert [c.id for c in side.find_contacts_by_name(records.name("Ｚｏｅ  ＷＩＤＥ"))] == [zoe]  # full-width: NFKC


def test_every_candidate_is_returned_never_one_guessed(side, records):
    first = records.contact("Ana Garcia", records.account("Acme"))
    second = records.contact("ana  GARCIA")
    found = side.find_contacts_by_name(records.name("Ana Garcia"))
    assert {c.id for c in found} == {first, second}
    assert {c.account.name if c.account else None for c in found} == {records.name("Acme"), None}


def test_many_names_are_looked_up_at_once(side, records):
    people = [f"Person {chr(ord('A') + i)} Number{i}" for i in range(12)]  # more than one query's worth
    ids = {name_key(records.name(p)): records.contact(p) for p in people}
    asked = [records.name(p.upper()) for p in people] + [records.name("Nobody Here")]
    found = side.find_contacts_by_names(asked)
    assert set(found) == {name_key(name) for name in asked}
    assert found.pop(name_key(records.name("Nobody Here"))) == []
    assert {key: [c.id for c in contacts] for key, contacts in found.items()} == {k: [v] for k, v in ids.items()}


def test_create_a_contact_of_an_account(side, records):
    account, created = side.find_or_create_account(records.name("Contoso"))
    if created:
        records.created("Account", account.id)
    contact = side.create_contact("  " + records.name("Linh   Nguyen"), account)
    records.created("Contact", contact.id)
    assert contact.name == records.name("Linh Nguyen") and contact.account == account
    assert side.find_contacts_by_name(records.name("linh nguyen")) == [contact]


def test_accounts_are_found_by_normalised_name_or_created(side, records):
    existing = records.account("Acme Ltd")
    found, created = side.find_or_create_account(records.name("  ACME   ltd "))
    assert (found.id, found.name, created) == (existing, records.name("Acme Ltd"), False)
    new, created = side.find_or_create_account(records.name("Globex"))
    records.created("Account", new.id)
    assert created and new.name == records.name("Globex")
    assert side.find_or_create_account(records.name("globex")) == (new, False)


@pytest.mark.parametrize("name", ["", "   ", "x" * 251])
def test_names_that_cannot_be_written_are_refused(side, name):
    with pytest.raises(ValidationFailed) as refused:
        side.create_contact(name)
    assert refused.value.status == 422 and "name" in refused.value.fields
    with pytest.raises(ValidationFailed):
        side.find_or_create_account(name)


def test_contacts_are_created_in_bulk_with_a_result_per_item(side, records):
    acme, created = side.find_or_create_account(records.name("Bulk Acme"))
    if created:
        records.created("Account", acme.id)
    items = [NewContact(records.name(f"Bulk {i:03d}"), acme if i % 2 else None) for i in range(230)]
    items[5] = NewContact("   ")
    items[150] = NewContact(records.name("Ghost"), Account(uuid.uuid4(), "No such account"))
    results = side.create_contacts(items)
    for result in results:
        if result.ok:
            records.created("Contact", result.contact.id)
    assert [r.request for r in results] == items
    assert [r.ok for r in results] == [i not in (5, 150) for i in range(230)]
    assert results[5].error and results[150].error and results[4].error is None
    assert results[7].contact.name == records.name("Bulk 007") and results[7].contact.account == acme
    listed = side.list_contacts(page=1, size=500, q=records.name("bulk"))
    assert listed.total == 228
    assert {c.id for c in listed.items} == {r.contact.id for r in results if r.ok}
