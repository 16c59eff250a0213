# Image of the SRM API server, worker and migration command.
# docker-compose.yml runs it with an external PostgreSQL and Redis; without
# SRM_DATABASE_URL and SRM_REDIS_URL it starts embedded ones in SRM_DATA_DIR.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    SRM_DATA_DIR=/var/lib/srm

WORKDIR /app
COPY pyproject.toml README.md ./
COPY srm ./srm
COPY workers ./workers
RUN pip install .

RUN useradd --system --create-home --uid 10001 srm \
    && mkdir -p /var/lib/srm \
    && chown srm:srm /var/lib/srm
USER srm

EXPOSE 8000
CMD ["srm", "serve", "--host", "0.0.0.0", "--port", "8000"]
