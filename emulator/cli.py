"""``webitel-emulator``: serve the emulator (Webitel API + control plane) on one port."""

from __future__ import annotations

import argparse
import sys

from .seed import SeedError, read_seed_file


def banner(base: str, tokens: dict[str, str]) -> str:
    lines = [f"Webitel emulator: {base}/api  (control plane: {base}/__emulator__)"]
    lines += [f"  domain {name!r}: X-Webitel-Access: {token}" for name, token in tokens.items()]
    return "\n".join(lines)


def serve(app, host: str, port: int, *, server: str, threads: int) -> None:
    if server == "werkzeug":
        from werkzeug.serving import run_simple

        run_simple(host, port, app, threaded=True)
        return
    from gunicorn.app.base import BaseApplication  # type: ignore[import-untyped]

    class Gunicorn(BaseApplication):
        def load_config(self) -> None:
            # One worker: the emulator's state lives in memory, so all requests must see the same process.
            settings = {"bind": f"{host}:{port}", "workers": 1, "worker_class": "gthread", "threads": threads,
                        "keepalive": 30, "accesslog": None, "loglevel": "warning"}
            for key, value in settings.items():
                self.cfg.set(key, value)

        def load(self):
            return app

    Gunicorn().run()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="webitel-emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--seed", help="seed document (JSON or YAML); default: the built-in demo seed")
    parser.add_argument("--server", choices=("gunicorn", "werkzeug"), default="gunicorn")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn worker threads (default 4)")
    args = parser.parse_args(argv)

    from .app import create_app

    try:
        app = create_app(read_seed_file(args.seed) if args.seed else None)
    except (OSError, SeedError) as exc:
        print(f"webitel-emulator: cannot load the seed: {exc}", file=sys.stderr)
        return 2
    print(banner(f"http://{args.host}:{args.port}", app.extensions["webitel_emulator"].admin_tokens()), flush=True)
    serve(app, args.host, args.port, server=args.server, threads=args.threads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
