"""Debian's nginx running the project's own front-proxy configuration
(``deploy/nginx/connector.conf.template``), rendered as the nginx image renders it, on a free
loopback port, in front of a given upstream."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

from tests.support.servers import free_port
from tests.support.tools import require_tool

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "deploy/nginx/connector.conf.template"

MAIN = """daemon off;
worker_processes 1;
{user}
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/connector.conf;
}}
"""


def render(upstream: str, listen: str) -> str:
    """What the nginx image's template step (envsubst of the variables it is given) writes."""
    return TEMPLATE.read_text().replace("${CONNECTOR_UPSTREAM}", upstream).replace("${NGINX_PORT}", listen)


class Nginx:
    def __init__(self, upstream: str, folder: Path) -> None:
        binary = require_tool("nginx", "nginx")
        self.folder = folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        (folder / "connector.conf").write_text(render(upstream, f"127.0.0.1:{self.port}"))
        # As root, nginx's workers would switch to an unprivileged user that cannot enter the
        # tests' private temporary folders.
        user = "user root;" if os.geteuid() == 0 else ""
        (folder / "nginx.conf").write_text(MAIN.format(folder=folder, user=user))
        self.access_log = folder / "access.log"
        self.process = subprocess.Popen([binary, "-p", str(folder), "-c", str(folder / "nginx.conf"),
                                         "-e", str(folder / "error.log")],
                                        stdout=self.access_log.open("w"), stderr=subprocess.STDOUT,
                                        start_new_session=True)
        deadline = time.monotonic() + 10
        while True:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"nginx did not start: {self.errors()}")
            time.sleep(0.05)

    def errors(self) -> str:
        log = self.folder / "error.log"
        return log.read_text() if log.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
