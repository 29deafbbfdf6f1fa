"""The OData side against the stand-in's control: signing in and renewing, failures in the
contract's shape, retries only where safe, lost answers settled by a look-up, ``$batch``."""

import contextlib
import logging
import threading
import uuid

import pytest

from connector.config import Config
from connector.creatio import (
    Account,
    AmbiguousName,
    CreatioAuthFailed,
    CreatioError,
    CreatioTimeout,
    CreatioUnavailable,
    MethodNotAllowed,
    NewContact,
    SystemUserType,
)
from connector.creatio.odata.auth import ClientCredentials, FormsLogin
from connector.creatio.odata.http import CreatioHTTP
from connector.creatio.odata.side import ODataCreatio
from tests.support.creatio import (
    STAND_IN_CLIENT_ID,
    STAND_IN_CLIENT_SECRET,
    STAND_IN_PASSWORD,
    STAND_IN_USERNAME,
    new_stand_in,
    stand_in_settings,
)

SECRETS = (STAND_IN_PASSWORD, STAND_IN_CLIENT_SECRET, "wrong-pa55word-91b", "wrong-client-secret-3c")


@pytest.fixture
def stand_in():
    return new_stand_in()


def odata(stand_in, *, oauth=False, url=None, **settings) -> ODataCreatio:
    """The OData side on ``stand_in``: in process, or at ``url`` (the stand-in served on a port)."""
    config = Config(api_token="t", **stand_in_settings(url or stand_in.base_url, oauth=oauth, **settings))
    return ODataCreatio.from_config(config, transport=None if url else stand_in.transport)


@pytest.fixture
def side(stand_in):
    side = odata(stand_in)
    yield side
    side.close()


def refused(error: CreatioError) -> str:
    return f"{error.message} {error.to_dict()}"


# -- signing in ------------------------------------------------------------------------------------
def test_one_login_serves_many_requests(stand_in, side):
    user_id = stand_in.add_system_user("jsmith", "John Smith")
    for _ in range(3):
        assert side.get_system_user(user_id).name == "jsmith"
    assert stand_in.logins == 1


def test_an_expired_session_is_renewed_once_transparently(stand_in, side):
    user_id = stand_in.add_system_user("jsmith", "John Smith")
    side.get_system_user(user_id)
    stand_in.expire_sessions()
    assert side.list_system_users(page=1, size=10).total == 1
    assert side.get_system_user(user_id).name == "jsmith"
    assert stand_in.logins == 2
    assert [e["status"] for e in stand_in.requests("/0/odata/*")] == [200, 401, 200, 200]


def test_threads_that_find_the_session_expired_sign_in_once(stand_in, side):
    user_id = stand_in.add_system_user("jsmith", "John Smith")
    side.get_system_user(user_id)
    stand_in.expire_sessions()
    start, names, errors = threading.Barrier(8), [], []

    def read():
        start.wait()
        try:
            names.append(side.get_system_user(user_id).name)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=read) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and names == ["jsmith"] * 8
    assert stand_in.logins == 2


def test_bad_credentials_are_creatio_auth_failed_without_the_password(stand_in):
    side = odata(stand_in, creatio_password="wrong-pa55word-91b")
    with pytest.raises(CreatioAuthFailed) as failed:
        side.list_contacts(page=1, size=10)
    assert (failed.value.status, failed.value.code) == (502, "creatio_auth_failed")
    assert "CONNECTOR_CREATIO_PASSWORD" in failed.value.message
    assert not any(secret in refused(failed.value) for secret in SECRETS)
    assert stand_in.failed_logins == 1 and stand_in.requests("/0/odata/*") == []


def test_after_a_refused_login_it_is_not_tried_again_for_a_while():
    """Creatio locks a user out after a few failed logins: a busy connector must not get it there."""
    now = [0.0]
    stand_in = new_stand_in()
    login = FormsLogin(STAND_IN_USERNAME, "wrong-pa55word-91b", clock=lambda: now[0])
    side = ODataCreatio(CreatioHTTP(stand_in.base_url, login, transport=stand_in.transport))
    for _ in range(3):
        with pytest.raises(CreatioAuthFailed):
            side.ping()
    assert stand_in.failed_logins == 1
    stand_in.users[STAND_IN_USERNAME] = "wrong-pa55word-91b"  # the administrator makes it right in Creatio
    now[0] += 29
    with pytest.raises(CreatioAuthFailed) as failed:
        side.ping()
    assert "not tried again for 30 s" in failed.value.message and stand_in.failed_logins == 1
    now[0] += 2
    side.ping()
    assert stand_in.logins == 1


def test_a_session_refused_right_after_a_new_login_is_not_retried_for_ever(stand_in, side):
    fault = stand_in.fail("/0/odata/SysAdminUnit", status=401, times=None)
    with pytest.raises(CreatioAuthFailed):
        side.get_system_user(uuid.uuid4())
    assert stand_in.logins == 2 and fault.hits == 2


def test_a_login_answered_with_a_server_error_is_creatio_unavailable_not_bad_credentials(stand_in, side):
    stand_in.fail("/ServiceModel/AuthService.svc/Login", status=503, times=None)
    with pytest.raises(CreatioUnavailable):
        side.list_accounts(page=1, size=10)


def test_oauth_tokens_are_cached_and_renewed_when_refused(stand_in):
    side = odata(stand_in, oauth=True)
    for _ in range(3):
        side.list_accounts(page=1, size=10)
    assert stand_in.token_requests == 1 and stand_in.logins == 0
    stand_in.expire_tokens()
    side.list_accounts(page=1, size=10)
    assert stand_in.token_requests == 2


def test_an_oauth_token_is_renewed_before_it_expires():
    now = [1000.0]
    stand_in = new_stand_in(clock=lambda: now[0])
    auth = ClientCredentials(STAND_IN_CLIENT_ID, STAND_IN_CLIENT_SECRET, f"{stand_in.base_url}/connect/token",
                             clock=lambda: now[0])
    side = ODataCreatio(CreatioHTTP(stand_in.base_url, auth, transport=stand_in.transport))
    side.list_accounts(page=1, size=10)
    now[0] += 3000  # within the token's 3600 s
    side.list_accounts(page=1, size=10)
    assert stand_in.token_requests == 1
    now[0] += 560  # 3560 s: less than a minute left, so a new one is asked for first
    side.list_accounts(page=1, size=10)
    assert stand_in.token_requests == 2
    assert 401 not in [e["status"] for e in stand_in.requests("/0/odata/*")]


def test_a_refused_client_secret_is_creatio_auth_failed_without_the_secret(stand_in):
    side = odata(stand_in, oauth=True, creatio_client_secret="wrong-client-secret-3c")
    with pytest.raises(CreatioAuthFailed) as failed:
        side.ping()
    assert "CONNECTOR_CREATIO_CLIENT_SECRET" in failed.value.message
    assert not any(secret in refused(failed.value) for secret in SECRETS)


@pytest.mark.parametrize("on_a_port", [False, True], ids=["in-process", "on-a-port"])
def test_no_password_or_secret_reaches_the_log(stand_in, caplog, on_a_port):
    caplog.set_level(logging.DEBUG)  # every logger, httpx's and httpcore's included
    user_id = stand_in.add_system_user("jsmith", "John Smith")
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(stand_in.serve()) if on_a_port else None  # real sockets: httpcore logs too
        forms, oauth = odata(stand_in, url=url), odata(stand_in, oauth=True, url=url)
        forms.get_system_user(user_id)
        stand_in.expire_sessions()
        forms.get_system_user(user_id)
        oauth.get_system_user(user_id)
        for bad in (odata(stand_in, url=url, creatio_password="wrong-pa55word-91b"),
                    odata(stand_in, url=url, oauth=True, creatio_client_secret="wrong-client-secret-3c")):
            with pytest.raises(CreatioAuthFailed):
                bad.ping()
        for side in (forms, oauth):
            side.close()
    assert "AuthService.svc/Login" in caplog.text and "connect/token" in caplog.text  # the log did see them
    assert not on_a_port or "send_request_body" in caplog.text  # httpcore's DEBUG lines too
    assert not any(secret in caplog.text for secret in SECRETS)
    settings = stand_in_settings("http://x", creatio_password="wrong-pa55word-91b")
    assert "wrong-pa55word" not in repr(Config(api_token="t", **settings))


# -- failures and retries ---------------------------------------------------------------------------
@pytest.mark.parametrize("fault, error, status, code", [
    ({"status": 503}, CreatioUnavailable, 503, "creatio_unavailable"),
    ({"status": 502}, CreatioUnavailable, 503, "creatio_unavailable"),
    ({"action": "timeout"}, CreatioTimeout, 504, "creatio_timeout"),
    ({"action": "reset"}, CreatioUnavailable, 503, "creatio_unavailable"),
    ({"status": 500}, CreatioError, 502, "creatio_error"),
    ({"status": 403}, CreatioError, 502, "creatio_error"),
    ({"status": 400}, CreatioError, 502, "creatio_error"),
])
def test_failures_are_the_contracts_errors(stand_in, side, fault, error, status, code):
    stand_in.fail("/0/odata/SysAdminUnit", times=None, **fault)
    with pytest.raises(error) as failed:
        side.list_system_users(page=1, size=10)
    assert (type(failed.value), failed.value.status, failed.value.code) == (error, status, code)
    assert "Traceback" not in failed.value.message


def test_a_forbidden_read_names_the_missing_permission(stand_in, side):
    stand_in.fail("/0/odata/Contact", status=403)
    with pytest.raises(CreatioError) as failed:
        side.list_contacts(page=1, size=10)
    assert "permission" in failed.value.message and failed.value.to_dict()["error"]["creatio"]["status"] == 403


def test_reads_are_retried_after_gateway_errors_and_timeouts(stand_in, side):
    stand_in.add_account("Acme")
    errors = stand_in.fail("/0/odata/Account", status=503, times=1)
    timeouts = stand_in.fail("/0/odata/Account", action="timeout", times=1)
    assert [a.name for a in side.list_accounts(page=1, size=10).items] == ["Acme"]
    assert errors.hits == timeouts.hits == 1


def test_the_health_check_is_not_retried(stand_in, side):
    fault = stand_in.fail("/0/odata/SysAdminUnit", status=503, times=None)
    with pytest.raises(CreatioUnavailable):
        side.ping()
    assert fault.hits == 1


def test_a_refused_create_is_neither_repeated_nor_left_behind(stand_in, side):
    fault = stand_in.fail("/0/odata/Contact", method="POST", status=503, times=None)
    with pytest.raises(CreatioUnavailable) as failed:
        side.create_contact("Linh Nguyen")
    assert fault.hits == 1 and stand_in.rows("Contact") == []
    assert failed.value.to_dict()["error"]["outcome"] == "not_created"


def test_a_create_whose_answer_is_lost_is_settled_by_a_look_up(stand_in, side):
    stand_in.fail("/0/odata/Contact", method="POST", action="timeout", when="after")
    contact = side.create_contact("Linh Nguyen")
    assert [(row["Id"], row["Name"]) for row in stand_in.rows("Contact")] == [(contact.id, "Linh Nguyen")]


def test_a_lost_answer_that_cannot_be_looked_up_is_reported_as_unknown(stand_in, side):
    stand_in.fail("/0/odata/Contact", method="POST", action="timeout", when="after")
    stand_in.fail("/0/odata/Contact", method="GET", status=503, times=None)
    with pytest.raises(CreatioTimeout) as failed:
        side.create_contact("Linh Nguyen")
    assert failed.value.to_dict()["error"]["outcome"] == "unknown"


def test_answers_that_are_not_odata_are_creatio_errors(stand_in, side):
    stand_in.fail("/0/odata/Account", status=200)  # an error body where the records should be
    with pytest.raises(CreatioError) as failed:
        side.list_accounts(page=1, size=10)
    assert "not the expected OData" in failed.value.message


def test_a_system_user_without_a_contact_is_reported(stand_in, side):
    user_id = stand_in.store.insert("SysAdminUnit", {"Name": "nocontact", "SysAdminUnitTypeValue": 4})["Id"]
    with pytest.raises(CreatioError) as failed:
        side.get_system_user(user_id)
    assert "has no contact" in failed.value.message


def test_creatios_own_refusal_is_passed_on(stand_in, side):
    stand_in.fail("/0/odata/Account", status=400)
    with pytest.raises(CreatioError) as failed:
        side.list_accounts(page=1, size=10)
    assert failed.value.to_dict()["error"]["creatio"] == {
        "status": 400, "message": "fault injected by the Creatio stand-in (400)"}


# -- names, accounts, users ------------------------------------------------------------------------
def test_several_accounts_with_one_name_are_never_guessed_between(stand_in, side):
    first, second = stand_in.add_account("Acme"), stand_in.add_account("ACME ")
    with pytest.raises(AmbiguousName) as ambiguous:
        side.find_or_create_account("acme")
    assert ambiguous.value.status == 409 and ambiguous.value.code == "ambiguous_name"
    assert set(ambiguous.value.to_dict()["error"]["candidates"]) == {str(first), str(second)}
    assert len(stand_in.rows("Account")) == 2


@pytest.mark.parametrize("case_insensitive", [False, True], ids=["postgresql-like", "mssql-like"])
def test_names_match_the_same_whatever_creatios_collation(case_insensitive):
    stand_in = new_stand_in(case_insensitive=case_insensitive)
    john, shouting = stand_in.add_contact("John Smith"), stand_in.add_contact("JOHN  SMITH")
    stand_in.add_contact("John Smithson")
    side = odata(stand_in)
    assert {c.id for c in side.find_contacts_by_name("john smith")} == {john, shouting}
    assert side.list_contacts(page=1, size=10, q="SMITH").total == 3


def test_users_are_created_and_activated_in_creatio_not_here(stand_in, side):
    user_id = stand_in.add_system_user("jsmith")
    with pytest.raises(MethodNotAllowed) as refused_create:
        side.create_system_user(name="x", contact_name="X", type=SystemUserType.EMPLOYEE)
    with pytest.raises(MethodNotAllowed):
        side.set_system_user_active(user_id, False)
    assert refused_create.value.status == 405 and "in Creatio itself" in refused_create.value.message
    assert len(stand_in.rows("SysAdminUnit")) == 1 and side.get_system_user(user_id).active


def test_org_units_and_roles_of_every_kind_are_not_system_users(stand_in, side):
    kinds = ["organisation", "division", "manager", "team", "functional_role"]
    ids = [stand_in.add_org_unit(f"unit {kind}", kind) for kind in kinds]
    assert [side.get_system_user(unit) for unit in ids] == [None] * len(kinds)
    assert side.list_system_users(page=1, size=50).total == 0


# -- $batch ----------------------------------------------------------------------------------------
def test_bulk_creates_go_in_batches_of_at_most_100_that_continue_on_error(stand_in, side):
    items = [NewContact(f"Person {i}") for i in range(250)]
    items[3] = NewContact("Ghost", Account(uuid.uuid4(), "No such account"))
    results = side.create_contacts(items)
    batches = stand_in.requests("/0/odata/$batch")
    assert len(batches) == 3 and {b["prefer"] for b in batches} == {"continue-on-error"}
    assert [r.ok for r in results] == [i != 3 for i in range(250)]
    assert "no Account" in results[3].error and len(stand_in.rows("Contact")) == 249


def test_a_batch_whose_answer_is_lost_is_settled_by_a_look_up(stand_in, side):
    stand_in.fail("/0/odata/$batch", action="timeout", when="after")
    results = side.create_contacts([NewContact(f"Person {i}") for i in range(5)])
    assert all(r.ok for r in results) and len(stand_in.rows("Contact")) == 5


def test_a_failed_batch_stops_the_rest_and_says_what_happened_to_each_contact(stand_in, side):
    stand_in.fail("/0/odata/$batch", action="timeout", skip=1)  # the second batch is never answered
    results = side.create_contacts([NewContact(f"Person {i:03d}") for i in range(250)])
    assert all(r.ok for r in results[:100])
    assert all(not r.ok and "did not answer in time" in r.error for r in results[100:200])
    assert all(not r.ok and r.error.startswith("not attempted") for r in results[200:])
    assert len(stand_in.rows("Contact")) == 100


def test_a_bulk_create_that_created_nothing_fails_as_a_whole(stand_in):
    side = odata(stand_in, creatio_password="wrong-pa55word-91b")
    with pytest.raises(CreatioAuthFailed):
        side.create_contacts([NewContact("Linh Nguyen")])
    ok = odata(stand_in)
    stand_in.fail("/0/odata/$batch", status=503, times=None)
    with pytest.raises(CreatioUnavailable):
        ok.create_contacts([NewContact("Linh Nguyen")])
    assert stand_in.rows("Contact") == []


def test_the_request_deadline_holds_over_every_attempt_timeout_and_pause(stand_in):
    """A Creatio that answers a read only after 2.5 s, with the read timeout at 10 s and two retries:
    within a 1 s budget the read gives up at the budget (504 creatio_timeout), sending nothing more."""
    import time

    from connector import deadline

    slow = stand_in.fail("/0/odata/Account", action="timeout", times=None, delay_s=2.5)
    with stand_in.serve() as url:
        side = odata(stand_in, url=url, creatio_read_timeout_s=10.0, creatio_backoff_s=0.2)
        try:
            side.ping()  # signed in, before the budget starts
            started = time.monotonic()
            with deadline.budget(1.0), pytest.raises(CreatioTimeout) as failed:
                side.list_accounts(page=1, size=10)
            took = time.monotonic() - started
        finally:
            side.close()
    assert took < 1.5, took
    assert failed.value.status == 504 and slow.hits == 1
