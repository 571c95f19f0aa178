# sotclinic: the app server image. Build from the repository root:
#   docker build -t sotclinic .        (or podman build)
# Runs `sotclinic serve` (gunicorn) as an unprivileged user on port 8000; SQLite, the secret
# key file, media and backups live in the volume /var/lib/sotclinic. deploy/compose.yaml runs
# it with PostgreSQL, Redis and Caddy.

# Debian trixie: its postgresql-client (17) can dump the PostgreSQL of deploy/compose.yaml.
ARG PYTHON_IMAGE=python:3.11-slim-trixie

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
RUN python -m venv /opt/sotclinic && /opt/sotclinic/bin/pip install .

FROM ${PYTHON_IMAGE}
# pg_dump and pg_restore for `sotclinic backup` / `restore` against PostgreSQL.
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 10001 --user-group --create-home --home-dir /home/sotclinic \
        --shell /usr/sbin/nologin sotclinic \
    && install -d -o sotclinic -g sotclinic -m 0700 /var/lib/sotclinic
COPY --from=build /opt/sotclinic /opt/sotclinic
ENV PATH=/opt/sotclinic/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    SOTCLINIC_VAR_DIR=/var/lib/sotclinic \
    STATIC_ROOT=/opt/sotclinic-static \
    HOST=0.0.0.0 \
    PORT=8000 \
    LOG_FORMAT=json
# Static files are part of the image: collected once here, under hashed names, outside the
# volume. The key and directory are for this step only and are not kept in the image.
RUN SECRET_KEY=collectstatic-only SOTCLINIC_VAR_DIR=/tmp/collectstatic \
        sotclinic manage collectstatic --noinput --verbosity 0 \
    && rm -rf /tmp/collectstatic
USER sotclinic
WORKDIR /home/sotclinic
VOLUME /var/lib/sotclinic
EXPOSE 8000
# /healthz under the first allowed host name, as a proxy would ask for it (plain HTTP is fine:
# the health check is exempt from the HTTPS redirect).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["python", "-c", "import os, sys, urllib.request as u; host = os.environ.get('ALLOWED_HOSTS', 'localhost').split(',')[0].strip(); r = u.urlopen(u.Request('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), headers={'Host': host}), timeout=4); sys.exit(0 if r.status == 200 else 1)"]
CMD ["sotclinic", "serve"]
