# One image for both services: the connector (default command) and the Webitel emulator.
FROM python:3.11-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY connector ./connector
COPY emulator ./emulator
COPY contract_tests ./contract_tests
RUN pip install '.[postgres]' && useradd --system --uid 10001 --home /app app && chown app /app
USER app
EXPOSE 8080 8090
CMD ["webitel-connector", "serve", "--host", "0.0.0.0", "--port", "8080"]
