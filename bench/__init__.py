"""The project's benchmarks, run together by ``python -m bench`` (``make bench``); see bench/README.md."""
