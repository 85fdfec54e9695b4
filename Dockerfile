# syntax=docker/dockerfile:1
# The portal's production image. gunicorn serves the web; the Celery worker and beat run the
# same image with another command (docker-compose.yml). Build: `docker compose build`.

# --- 1. front-end packages from npm, exactly as package-lock.json pins them -----------------
FROM node:20-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

# --- 2. translation catalogues: .po -> .mo with gettext, which the runtime does not need ---
FROM python:3.11-slim AS messages
RUN apt-get update \
 && apt-get install -y --no-install-recommends gettext \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# The whole context, because locale/ may not exist yet in a fresh checkout.
COPY . .
RUN mkdir -p locale \
 && find locale -name '*.po' -print0 \
    | xargs -0 -r -n1 sh -c 'msgfmt --check-format -o "${0%.po}.mo" "$0"'

# --- 3. Python runtime: system libraries, pinned requirements, the code --------------------
FROM python:3.11-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=portal.settings.production
# libmagic1: python-magic identifies uploads by content; curl is not needed (healthcheck.py).
RUN apt-get update \
 && apt-get install -y --no-install-recommends libmagic1 \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 portal \
 && useradd --system --uid 10001 --gid portal --create-home --home-dir /home/portal \
      --shell /usr/sbin/nologin portal
WORKDIR /app
COPY requirements.txt ./
RUN pip install -r requirements.txt
# Code stays owned by root: the app user can read it, not change it.
COPY . .
COPY --from=messages /src/locale ./locale

# --- 4. static files, collected with production settings -----------------------------------
FROM base AS static
COPY --from=assets /src/node_modules ./node_modules
# Production settings refuse to load without these. The values are build-only dummies: they
# live in this RUN alone (not ENV) and never reach the runtime configuration. No database is
# contacted. `check --deploy` fails the build on any warning, e.g. a missing static folder.
RUN DJANGO_SECRET_KEY=build-only-dummy-secret-key-never-used-at-run-time-0123456789 \
    DJANGO_ALLOWED_HOSTS=build.invalid \
    DATABASE_URL=postgres://build@build.invalid:5432/build \
    sh -c 'python manage.py collectstatic --noinput -v 0 \
        && python manage.py check --deploy --fail-level WARNING \
        && python scripts/copy_static_sources.py /export'

# --- 5. the image that runs --------------------------------------------------------------
FROM base AS runtime
COPY --from=static /app/staticfiles ./staticfiles
COPY --from=static /export/node_modules ./node_modules
# Uploaded documents: the one place the app writes (a volume in docker-compose.yml).
ENV MEDIA_ROOT=/app/media
RUN mkdir -p /app/media && chown portal:portal /app/media
USER portal
EXPOSE 8000
# WEB_CONCURRENCY (read by gunicorn) sets the number of web processes; default 2.
ENV WEB_CONCURRENCY=2
CMD ["gunicorn", "portal.wsgi", \
     "--bind", "0.0.0.0:8000", \
     "--worker-tmp-dir", "/dev/shm", \
     "--no-control-socket", \
     "--timeout", "60", \
     "--graceful-timeout", "30", \
     "--max-requests", "2000", \
     "--max-requests-jitter", "200", \
     "--access-logfile", "-"]
