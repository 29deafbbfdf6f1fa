"""The throughput floor: a WSGI app that answers a fixed JSON body, with no framework and no work."""

BODY = b'{"id":"1","username":"jsmith"}'


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))])
    return [BODY]
