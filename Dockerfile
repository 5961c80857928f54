# syntax=docker/dockerfile:1
# docker build -t solar-gateway .   then   docker run -p 8000:8000 -e OPENSOLAR_TOKEN=... solar-gateway
# Every command here also runs in CI outside Docker (tests/integration/test_container_recipe.py).

# 1. GraphiQL's browser assets from the npm registry (pinned by package-lock.json)
FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY frontend/package.json frontend/package-lock.json frontend/copy-assets.sh frontend/
RUN npm ci --prefix frontend --no-audit --no-fund --loglevel=error
RUN frontend/copy-assets.sh

# 2. The gateway and its dependencies, in a virtualenv
FROM python:3.11-slim AS build
WORKDIR /src
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH PIP_DISABLE_PIP_VERSION_CHECK=1
COPY pyproject.toml README.md ./
COPY gateway ./gateway
COPY schema ./schema
COPY --from=assets /src/gateway/graphiql/vendor ./gateway/graphiql/vendor
COPY frontend/precompress.py ./frontend/
RUN pip install --no-cache-dir brotli backports.zstd && python frontend/precompress.py gateway/graphiql/vendor
RUN pip install --no-cache-dir .

# 3. The runtime: the virtualenv only, as an unprivileged user
FROM python:3.11-slim
RUN useradd --system --uid 10001 --no-create-home gateway
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH PYTHONUNBUFFERED=1 GATEWAY_HOST=0.0.0.0 GATEWAY_PORT=8000 GATEWAY_WORKERS=2 \
    GATEWAY_LOG_FORMAT=json
USER gateway
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 CMD ["python", "-m", "gateway.healthcheck"]
CMD ["sh", "-c", "exec uvicorn gateway.app:create_app --factory --host \"$GATEWAY_HOST\" --port \"$GATEWAY_PORT\" --workers \"$GATEWAY_WORKERS\" --no-proxy-headers --no-server-header --no-access-log"]
