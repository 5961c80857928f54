# syntax=docker/dockerfile:1
# Build: docker build -t solar-gateway .   Run: docker run -p 8000:8000 -e OPENSOLAR_TOKEN=... solar-gateway
FROM python:3.11-slim AS build
WORKDIR /src
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH PIP_DISABLE_PIP_VERSION_CHECK=1
COPY pyproject.toml README.md ./
COPY gateway ./gateway
COPY schema ./schema
RUN pip install --no-cache-dir .

FROM python:3.11-slim
RUN useradd --system --uid 10001 --no-create-home gateway
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH PYTHONUNBUFFERED=1 GATEWAY_HOST=0.0.0.0 GATEWAY_PORT=8000 GATEWAY_WORKERS=1
USER gateway
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --retries=3 \
  CMD python -c "import urllib.request,os; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"GATEWAY_PORT\"]}/healthz', timeout=2)"
CMD ["sh", "-c", "exec uvicorn gateway.app:create_app --factory --host \"$GATEWAY_HOST\" --port \"$GATEWAY_PORT\" --workers \"$GATEWAY_WORKERS\" --proxy-headers"]
