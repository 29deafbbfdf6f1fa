# One image for both services: the connector (the default command) and the Webitel emulator
# (`webitel-emulator`). Small (slim base, no compiler, no tests), non-root, and reproducible: the
# dependencies are exactly the pinned requirements.lock (`make lock` regenerates it from pyproject.toml).
FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
WORKDIR /src
COPY requirements.lock ./
RUN /opt/venv/bin/pip install --no-deps --requirement requirements.lock
COPY pyproject.toml README.md ./
COPY connector ./connector
COPY emulator ./emulator
RUN /opt/venv/bin/pip install --no-deps . && /opt/venv/bin/pip uninstall --yes setuptools pip

FROM python:3.11-slim-bookworm
ENV PATH=/opt/venv/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY --from=build /opt/venv /opt/venv
WORKDIR /tmp
# A user id with no name: nothing in the image belongs to it, so it can write nowhere but /tmp.
USER 10001:10001
EXPOSE 8080 8090
HEALTHCHECK --interval=10s --timeout=3s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/api/v1/health/live', timeout=3)"]
CMD ["webitel-connector", "serve", "--host", "0.0.0.0", "--port", "8080"]
