"""The Creatio side's operations mean the same on every side: the embedded store (SQLite and
PostgreSQL) and a Creatio over OData 4 (the stand-in, or a live one). Names are scoped with
``creatio_records.name`` so that the tests also hold in a live Creatio that has records of its own."""

import uuid

import pytest

from connector.core.names import name_key
from connector.creatio import Account, NewContact, SystemUserType
from connector.errors import ValidationFailed


def test_a_system_user_with_its_contact_and_account(creatio, creatio_records):
    user_id = creatio_records.system_user("jsmith", "John Smith", account="Acme")
    user = creatio.get_system_user(user_id)
    assert (user.id, user.name, user.type, user.active) == (
        user_id, creatio_records.name("jsmith"), SystemUserType.EMPLOYEE, True)
    assert user.contact.name == creatio_records.name("John Smith") and isinstance(user.contact.id, uuid.UUID)
    assert user.account.name == creatio_records.name("Acme")
    assert user.created_at is not None and user.created_at.tzinfo is not None


def test_a_portal_user_without_an_account(creatio, creatio_records):
    user = creatio.get_system_user(creatio_records.system_user("pclient", "Paul Client", type="portal", account=None))
    assert user.type == SystemUserType.PORTAL and user.account is None


def test_unknown_ids_org_units_and_roles_are_not_system_users(creatio, creatio_records):
    assert creatio.get_system_user(uuid.uuid4()) is None
    assert creatio.get_system_user(creatio_records.org_unit("Sales")) is None


def test_a_deactivated_user_is_read_as_inactive(creatio, creatio_records):
    user_id = creatio_records.system_user("oldtimer")
    creatio_records.deactivate(user_id)
    assert creatio.get_system_user(user_id).active is False


def test_system_users_are_listed_by_login_in_pages(creatio, creatio_records):
    for login in ("cuser", "auser", "buser"):
        creatio_records.system_user(login)
    creatio_records.org_unit("an-org-unit")  # matches the search, but is no system user
    scope = creatio_records.name("")
    first = creatio.list_system_users(page=1, size=2, q=scope)
    assert [u.name for u in first.items] == [creatio_records.name("auser"), creatio_records.name("buser")]
    assert (first.page, first.size, first.total) == (1, 2, 3)
    assert [u.name for u in creatio.list_system_users(page=2, size=2, q=scope).items] == [creatio_records.name("cuser")]
    assert creatio.list_system_users(page=3, size=2, q=scope).items == []


def test_system_users_are_searched_by_login_or_contact_name_and_filtered_by_type(creatio, creatio_records):
    creatio_records.system_user("jsmith", "John Smith")
    creatio_records.system_user("mbrown", "Mary Brown")
    creatio_records.system_user("pclient", "Paul Client", type="portal")

    def names(**query):
        return [u.name for u in creatio.list_system_users(page=1, size=50, **query).items]

    assert names(q=creatio_records.name("mbr")) == [creatio_records.name("mbrown")]
    # neither case nor spaces matter
    assert names(q=creatio_records.name("MARY  b").upper()) == [creatio_records.name("mbrown")]
    assert names(q=creatio_records.name(""), type=SystemUserType.PORTAL) == [creatio_records.name("pclient")]
    assert names(q=creatio_records.name("nobody")) == []


def test_contacts_and_accounts_are_listed_and_searched(creatio, creatio_records):
    acme = creatio_records.account("Acme")
    creatio_records.contact("John Smith", acme)
    creatio_records.contact("Mary Brown")
    creatio_records.account("Contoso")
    contacts = creatio.list_contacts(page=1, size=50, q=creatio_records.name("john"))
    assert [(c.name, c.account.name) for c in contacts.items] == [
        (creatio_records.name("John Smith"), creatio_records.name("Acme"))]
    assert creatio.list_contacts(page=1, size=50, q=creatio_records.name("")).total == 2
    assert [a.name for a in creatio.list_accounts(page=1, size=50, q=creatio_records.name("")).items] == [
        creatio_records.name("Acme"), creatio_records.name("Contoso")]
    assert creatio.list_accounts(page=1, size=50, q=creatio_records.name("CONT")).total == 1


def test_contacts_are_found_by_their_normalised_name_only(creatio, creatio_records):
    john = creatio_records.contact("John Smith")
    creatio_records.contact("John Smithson")
    creatio_records.contact("Smith John")
    found = creatio.find_contacts_by_name("  " + creatio_records.name("JOHN   smith") + " ")
    assert [c.id for c in found] == [john]
    assert creatio.find_contacts_by_name(creatio_records.name("John")) == []


def test_the_name_asked_for_is_normalised_too(creatio, creatio_records):
    zoe = creatio_records.contact("Zoe Wide")
    full_width = creatio_records.name("Ｚｏｅ  ＷＩＤＥ")  # NFKC makes the letters plain
    assert [c.id for c in creatio.find_contacts_by_name(full_width)] == [zoe]


def test_every_candidate_is_returned_never_one_guessed(creatio, creatio_records):
    first = creatio_records.contact("Ana Garcia", creatio_records.account("Acme"))
    second = creatio_records.contact("ana  GARCIA")
    found = creatio.find_contacts_by_name(creatio_records.name("Ana Garcia"))
    assert {c.id for c in found} == {first, second}
    assert {c.account.name if c.account else None for c in found} == {creatio_records.name("Acme"), None}


def test_many_names_are_looked_up_at_once(creatio, creatio_records):
    people = [f"Person {chr(ord('A') + i)} Number{i}" for i in range(12)]  # more than one query's worth
    ids = {name_key(creatio_records.name(p)): creatio_records.contact(p) for p in people}
    asked = [creatio_records.name(p.upper()) for p in people] + [creatio_records.name("Nobody Here")]
    found = creatio.find_contacts_by_names(asked)
    assert set(found) == {name_key(name) for name in asked}
    assert found.pop(name_key(creatio_records.name("Nobody Here"))) == []
    assert {key: [c.id for c in contacts] for key, contacts in found.items()} == {k: [v] for k, v in ids.items()}


def test_create_a_contact_of_an_account(creatio, creatio_records):
    account, created = creatio.find_or_create_account(creatio_records.name("Contoso"))
    if created:
        creatio_records.created("Account", account.id)
    contact = creatio.create_contact("  " + creatio_records.name("Linh   Nguyen"), account)
    creatio_records.created("Contact", contact.id)
    assert contact.name == creatio_records.name("Linh Nguyen") and contact.account == account
    assert creatio.find_contacts_by_name(creatio_records.name("linh nguyen")) == [contact]


def test_accounts_are_found_by_normalised_name_or_created(creatio, creatio_records):
    existing = creatio_records.account("Acme Ltd")
    found, created = creatio.find_or_create_account("  " + creatio_records.name("ACME   ltd") + " ")
    assert (found.id, found.name, created) == (existing, creatio_records.name("Acme Ltd"), False)
    new, created = creatio.find_or_create_account(creatio_records.name("Globex"))
    creatio_records.created("Account", new.id)
    assert created and new.name == creatio_records.name("Globex")
    assert creatio.find_or_create_account(creatio_records.name("globex")) == (new, False)


@pytest.mark.parametrize("name", ["", "   ", "x" * 251])
def test_names_that_cannot_be_written_are_refused(creatio, name):
    with pytest.raises(ValidationFailed) as refused:
        creatio.create_contact(name)
    assert refused.value.status == 422 and "name" in refused.value.fields
    with pytest.raises(ValidationFailed):
        creatio.find_or_create_account(name)


def test_contacts_are_created_in_bulk_with_a_result_per_item(creatio, creatio_records):
    acme, created = creatio.find_or_create_account(creatio_records.name("Bulk Acme"))
    if created:
        creatio_records.created("Account", acme.id)
    items = [NewContact(creatio_records.name(f"Bulk {i:03d}"), acme if i % 2 else None) for i in range(230)]
    items[5] = NewContact("   ")
    items[150] = NewContact(creatio_records.name("Ghost"), Account(uuid.uuid4(), "No such account"))
    results = creatio.create_contacts(items)
    for result in results:
        if result.ok:
            creatio_records.created("Contact", result.contact.id)
    assert [r.request for r in results] == items
    assert [r.ok for r in results] == [i not in (5, 150) for i in range(230)]
    assert results[5].error and results[150].error and results[4].error is None
    assert results[7].contact.name == creatio_records.name("Bulk 007") and results[7].contact.account == acme
    listed = creatio.list_contacts(page=1, size=500, q=creatio_records.name("bulk"))
    assert listed.total == 228
    assert {c.id for c in listed.items} == {r.contact.id for r in results if r.ok}


def test_letters_that_case_fold_to_others_are_found(creatio, creatio_records):
    anna = creatio_records.contact("Anna Straße")  # "ß" folds to "ss", but Creatio's tolower keeps it
    assert [c.id for c in creatio.find_contacts_by_name(creatio_records.name("ANNA STRAßE"))] == [anna]


def test_names_with_query_punctuation_are_found(creatio, creatio_records):
    odd = creatio_records.contact("A+B & C's (Ltd) #1 100%")
    assert [c.id for c in creatio.find_contacts_by_name(creatio_records.name("a+b & c's (ltd) #1 100%"))] == [odd]
    assert creatio.list_contacts(page=1, size=10, q=creatio_records.name("A+B & C's (")).total == 1


def test_the_system_users_of_contacts_are_found_at_once(creatio, creatio_records):
    """The import links a contact's system user: many contacts, few requests."""
    users = {name: creatio.get_system_user(creatio_records.system_user(name, f"{name} Contact"))
             for name in ("jsmith", "mbrown", "pclient")}
    lone = creatio.create_contact(creatio_records.name("Lone Contact"))
    contact_ids = [user.contact.id for user in users.values()] + [lone.id]
    found = creatio.system_users_of_contacts(contact_ids + [uuid.uuid4()])
    assert {contact_id: user.id for contact_id, user in found.items()} == \
        {user.contact.id: user.id for user in users.values()}
