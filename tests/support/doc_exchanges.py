"""HTTP exchanges written in a Markdown document, read and checked against a served connector.

A document shows an exchange as two fenced ``http`` blocks, the request and then its answer::

    ```http name=save
    POST /api/v1/webitel-users
    Authorization: Bearer {{token}}
    Content-Type: application/json

    {"user_id": "{{creatio_user_id}}", "extension": "1010"}
    ```

    ```http
    HTTP/1.1 201 Created
    Content-Type: application/json

    {"id": "{{record_id}}", "extension": "1010"}
    ```

The request is sent as written, ``{{name}}`` replaced by a value given by the test or taken from an
earlier answer. The answer must have the status, the headers shown (a value with commas is compared
as a set of tokens, case-insensitively) and the JSON shown: an object's keys must be there with
matching values (others may be there too), a list must match item by item, ``"…"`` is any value, and
``"{{name}}"`` is the value bound to the name, or binds it. Words after ``http`` in the opening fence:
``name=…`` (for the test's hooks and for ``exercised_by``), ``while=$.path=value`` (send the request
again while the answer holds that value: a polling loop), ``absent=Header,…`` (the answer must not
carry these headers).

Other blocks the test reads: ``yaml kind=creatio-web-service`` (a web service as set up in Creatio's
Web services section, checked against the exchanges it names) and ``dotenv kind=connector-env`` (the
connector's settings the document asks for; the test serves the connector with them).
"""

from __future__ import annotations

import json
import re
import shlex
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import yaml
from jsonpath_ng import parse as parse_jsonpath
from markdown_it import MarkdownIt

PLACEHOLDER = re.compile(r"\{\{([A-Za-z_][A-Za-z0-9_]*)\}\}")
REQUEST_LINE = re.compile(r"^(GET|POST|PUT|PATCH|DELETE|OPTIONS|HEAD) (/\S*)(?: HTTP/1\.1)?$")
STATUS_LINE = re.compile(r"^HTTP/1\.1 (\d{3})(?: .*)?$")
ANY = "…"
EXCHANGE_OPTIONS = {"name", "while", "absent"}
READ_KINDS = {"creatio-web-service", "connector-env"}


class DocError(ValueError):
    """A block the test cannot run: the document is wrong, not the connector."""


@dataclass(frozen=True)
class Message:
    first_line: str
    headers: tuple[tuple[str, str], ...]
    body: str

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers if key.lower() == name.lower()), None)


@dataclass(frozen=True)
class Exchange:
    line: int  # of the request block, for messages
    name: str | None
    request: Message
    answer: Message
    repeat_while: tuple[str, str] | None = None  # (JSONPath, value)
    absent: tuple[str, ...] = ()

    @property
    def method(self) -> str:
        return self.request.first_line.split(" ")[0]

    @property
    def target(self) -> str:
        return self.request.first_line.split(" ")[1]

    @property
    def status(self) -> int:
        return int(self.answer.first_line.split(" ")[1])

    def __str__(self) -> str:
        label = f" ({self.name})" if self.name else ""
        return f"line {self.line}: {self.request.first_line}{label}"


@dataclass
class Section:
    title: str
    line: int
    exchanges: list[Exchange] = field(default_factory=list)
    web_services: list[tuple[int, dict]] = field(default_factory=list)


@dataclass
class Document:
    sections: list[Section]
    connector_env: dict[str, str]
    code_blocks: list[tuple[int, str, str]]  # (line, language, text)

    def exchanges(self) -> Iterator[Exchange]:
        for section in self.sections:
            yield from section.exchanges


# -- reading -------------------------------------------------------------------------------------
def read(text: str) -> Document:
    """Every ``http`` block paired and parsed, by section (the nearest heading of level 2 or 3)."""
    sections: list[Section] = []
    env: dict[str, str] = {}
    code: list[tuple[int, str, str]] = []
    pending_request: tuple[int, dict[str, str], Message] | None = None
    tokens = MarkdownIt().parse(text)
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag in ("h2", "h3"):
            _close_request(pending_request)
            pending_request = None
            sections.append(Section(tokens[index + 1].content.strip(), _line(token)))
            continue
        if token.type != "fence":
            continue
        language, options = _info(token.info, _line(token))
        if language != "http":
            if options.get("kind") == "connector-env":
                env.update(_dotenv(token.content, _line(token)))
            elif options.get("kind") == "creatio-web-service":
                _section(sections, token).web_services.append((_line(token), _yaml(token.content, _line(token))))
            elif options.get("kind"):
                raise DocError(f"line {_line(token)}: unknown block kind {options['kind']!r} (known: {READ_KINDS})")
            else:
                code.append((_line(token), language, token.content))
            continue
        unknown = set(options) - EXCHANGE_OPTIONS
        if unknown:
            raise DocError(f"line {_line(token)}: unknown option(s) {sorted(unknown)} of an http block")
        message = _message(token.content, _line(token))
        if REQUEST_LINE.match(message.first_line):
            _close_request(pending_request)
            pending_request = (_line(token), options, message)
        elif STATUS_LINE.match(message.first_line):
            if pending_request is None:
                raise DocError(f"line {_line(token)}: an answer block without a request before it")
            line, request_options, request = pending_request
            if options:
                raise DocError(f"line {_line(token)}: options belong on the request block")
            _section(sections, token).exchanges.append(_exchange(line, request_options, request, message))
            pending_request = None
        else:
            raise DocError(f"line {_line(token)}: an http block must start with a request line "
                           f"(METHOD /path) or a status line (HTTP/1.1 200 OK): {message.first_line!r}")
    _close_request(pending_request)
    return Document(sections, env, code)


def _line(token) -> int:
    return (token.map[0] + 1) if token.map else 0


def _section(sections: list[Section], token) -> Section:
    if not sections:
        sections.append(Section("(before the first heading)", 1))
    return sections[-1]


def _close_request(pending: tuple[int, dict[str, str], Message] | None) -> None:
    if pending is not None:
        raise DocError(f"line {pending[0]}: a request block without its answer block after it")


def _info(info: str, line: int) -> tuple[str, dict[str, str]]:
    words = shlex.split(info)
    if not words:
        return "", {}
    options = {}
    for word in words[1:]:
        key, sep, value = word.partition("=")
        if not sep:
            raise DocError(f"line {line}: fence option {word!r} is not key=value")
        options[key] = value
    return words[0], options


def _message(content: str, line: int) -> Message:
    head, _, body = content.partition("\n\n")
    lines = head.splitlines()
    headers = []
    for text in lines[1:]:
        name, sep, value = text.partition(":")
        if not sep or not name.strip():
            raise DocError(f"line {line}: not a header line: {text!r}")
        headers.append((name.strip(), value.strip()))
    return Message(lines[0].strip() if lines else "", tuple(headers), body.strip())


def _exchange(line: int, options: dict[str, str], request: Message, answer: Message) -> Exchange:
    repeat_while = None
    if "while" in options:
        path, sep, value = options["while"].rpartition("=")
        if not sep or not path.startswith("$"):
            raise DocError(f"line {line}: while= takes $.json.path=value, not {options['while']!r}")
        _jsonpath(path, line)
        repeat_while = (path, value)
    absent = tuple(h.strip() for h in options.get("absent", "").split(",") if h.strip())
    return Exchange(line, options.get("name"), request, answer, repeat_while, absent)


def _dotenv(content: str, line: int) -> dict[str, str]:
    values = {}
    for text in content.splitlines():
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        key, sep, value = text.partition("=")
        if not sep or not re.fullmatch(r"[A-Z][A-Z0-9_]*", key.strip()):
            raise DocError(f"line {line}: not a NAME=value line: {text!r}")
        values[key.strip()] = value.strip()
    return values


def _yaml(content: str, line: int) -> dict:
    try:
        doc = yaml.safe_load(content)
    except yaml.YAMLError as exc:
        raise DocError(f"line {line}: not YAML: {exc}") from exc
    if not isinstance(doc, dict):
        raise DocError(f"line {line}: a web service block is a YAML mapping")
    return doc


def _jsonpath(path: str, line: int):
    try:
        return parse_jsonpath(path)
    except Exception as exc:  # jsonpath-ng raises plain Exceptions for syntax errors
        raise DocError(f"line {line}: not a JSONPath: {path!r} ({exc})") from exc


# -- running ------------------------------------------------------------------------------------
def substitute(text: str, bindings: dict[str, Any], where: str) -> str:
    def value(match: re.Match) -> str:
        name = match.group(1)
        if name not in bindings:
            raise DocError(f"{where}: {{{{{name}}}}} has no value (neither given nor taken from an earlier answer)")
        return str(bindings[name])
    return PLACEHOLDER.sub(value, text)


def send(client: httpx.Client, exchange: Exchange, bindings: dict[str, Any]) -> tuple[httpx.Response, Any]:
    """Send the request as written; with ``while=``, again (every 0.3 s, for up to 60 s) while the
    answer holds the value. Returns the last answer and the JSON sent (None without a body)."""
    target = substitute(exchange.target, bindings, str(exchange))
    headers = [(name, substitute(value, bindings, str(exchange))) for name, value in exchange.request.headers]
    body = substitute(exchange.request.body, bindings, str(exchange))
    sent = None
    if body:
        try:
            sent = json.loads(body)
        except json.JSONDecodeError as exc:
            raise DocError(f"{exchange}: the request body is not JSON: {exc}") from exc
    deadline = time.monotonic() + 60
    while True:
        response = client.request(exchange.method, target, headers=headers, content=body.encode() or None)
        if exchange.repeat_while is None:
            return response, sent
        path, value = exchange.repeat_while
        found = [str(m.value) for m in _jsonpath(path, exchange.line).find(_json(response))]
        if found != [value]:
            return response, sent
        if time.monotonic() > deadline:
            raise AssertionError(f"{exchange}: {path} still {value!r} after 60 s")
        time.sleep(0.3)


def check(exchange: Exchange, response: httpx.Response, bindings: dict[str, Any]) -> None:
    """The answer is as documented; names the answer binds are added to ``bindings``."""
    assert response.status_code == exchange.status, \
        f"{exchange}: status {response.status_code}, the document says {exchange.status}: {response.text[:2000]}"
    for name, documented in exchange.answer.headers:
        actual = response.headers.get(name)
        assert actual is not None, f"{exchange}: no {name} header in the answer ({dict(response.headers)})"
        assert _same_header(documented, actual), f"{exchange}: {name}: {actual!r}, the document says {documented!r}"
    for name in exchange.absent:
        assert name not in response.headers, f"{exchange}: the answer has {name}: {response.headers[name]}"
    if exchange.answer.body:
        try:
            expected = json.loads(exchange.answer.body)
        except json.JSONDecodeError as exc:
            raise DocError(f"{exchange}: the answer body is not JSON: {exc}") from exc
        taken: dict[str, Any] = {}
        match(expected, _json(response), {**bindings}, taken, f"{exchange}: $")
        bindings.update(taken)
    else:
        assert not response.content, f"{exchange}: the document shows no body, the answer has {response.text[:500]!r}"


def match(expected: Any, actual: Any, bound: dict[str, Any], taken: dict[str, Any], where: str) -> None:
    """``actual`` holds what ``expected`` shows; a whole-string ``{{name}}`` compares with, or binds, a name."""
    if expected == ANY:
        return
    if isinstance(expected, str) and (placeholder := PLACEHOLDER.fullmatch(expected)):
        name = placeholder.group(1)
        if name in bound:
            assert actual == bound[name], f"{where}: {actual!r}, but {{{{{name}}}}} is {bound[name]!r}"
        else:
            assert actual is not None, f"{where}: null, the document binds {{{{{name}}}}} to it"
            bound[name] = taken[name] = actual
        return
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{where}: {actual!r} is not an object"
        for key, value in expected.items():
            assert key in actual, f"{where}: no {key!r} in {sorted(actual)}"
            match(value, actual[key], bound, taken, f"{where}.{key}")
        return
    if isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), \
            f"{where}: {actual!r}, the document shows {len(expected)} item(s): {expected!r}"
        for index, (item, value) in enumerate(zip(expected, actual, strict=True)):
            match(item, value, bound, taken, f"{where}[{index}]")
        return
    assert type(actual) is type(expected) and actual == expected, f"{where}: {actual!r}, the document says {expected!r}"


def _same_header(documented: str, actual: str) -> bool:
    if "," in documented:
        return _tokens(documented) == _tokens(actual)
    return documented == actual


def _tokens(value: str) -> set[str]:
    return {part.strip().lower() for part in value.split(",") if part.strip()}


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


# -- Creatio's web service settings ---------------------------------------------------------------
CREATIO_TYPES: dict[str, Callable[[Any], bool]] = {
    "Text": lambda v: isinstance(v, str),
    "Integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "Boolean": lambda v: isinstance(v, bool),
    "Unique identifier": lambda v: isinstance(v, str) and _is_uuid(v),
}


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def check_web_service(spec: dict, line: int, seen: dict[str, tuple[Exchange, Any, httpx.Response]]) -> None:
    """The web service's methods against the exchanges they name (``exercised_by``), as sent and
    answered: method, address, request parameters, and each response parameter's JSONPath and type."""
    base = spec.get("uri", "")
    if not isinstance(spec.get("methods"), list) or not base.startswith(("http://", "https://")):
        raise DocError(f"line {line}: a web service needs uri (http(s)://...) and a list of methods")
    base_path = httpx.URL(base).path.rstrip("/")
    for method in spec["methods"]:
        where = f"line {line}, method {method.get('code')!r}"
        names = method.get("exercised_by") or []
        if not names:
            raise DocError(f"{where}: exercised_by names no exchange")
        address = re.escape(f"{base_path}/{method['address'].lstrip('/')}")
        address = re.sub(r"\\\{[A-Za-z_][A-Za-z0-9_]*\\\}", "[^/?]+", address)
        for name in names:
            if name not in seen:
                raise DocError(f"{where}: no exchange named {name!r} was run before this block")
            exchange, sent, response = seen[name]
            assert exchange.method == method["request_type"], \
                f"{where}: request type {method['request_type']}, {exchange} sends {exchange.method}"
            path = response.request.url.path
            assert re.fullmatch(address, path), f"{where}: address {method['address']!r} does not give {path}"
            for parameter in method.get("request_parameters", []):
                _check_request_parameter(parameter, exchange, sent, method["address"], where)
            answer = _json(response)
            for parameter in method.get("response_parameters", []):
                found = _jsonpath(parameter["path"], line).find(answer)
                assert len(found) == 1, \
                    f"{where}: {parameter['path']} finds {len(found)} value(s) in the answer of {exchange}"
                kind = CREATIO_TYPES.get(parameter["type"])
                if kind is None:
                    raise DocError(f"{where}: unknown Creatio type {parameter['type']!r} ({sorted(CREATIO_TYPES)})")
                assert kind(found[0].value), \
                    f"{where}: {parameter['path']} = {found[0].value!r} is not of Creatio type {parameter['type']}"


def _check_request_parameter(parameter: dict, exchange: Exchange, sent: Any, address: str, where: str) -> None:
    name, location = parameter["name"], parameter["location"]
    if location == "Body":
        assert isinstance(sent, dict) and name in sent, f"{where}: {exchange} sends no body parameter {name!r}"
    elif location == "Header":
        assert exchange.request.header(name) is not None, f"{where}: {exchange} sends no header {name!r}"
    elif location == "URL":
        assert f"{{{name}}}" in address, f"{where}: the address {address!r} has no {{{name}}}"
    else:
        raise DocError(f"{where}: parameter location {location!r} is not Body, Header or URL")
