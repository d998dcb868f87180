# sluice's image: build with the project's own scripts on Debian bookworm, then
# ship the stripped binary on bookworm-slim with only its runtime libraries.
#   scripts/image            (docker when a daemon answers, else podman; tags sluice:<version>)
#   docker build -t sluice:0.1.0 .
# The same image runs the proxy/controller (the default) and `sluice echo`.

FROM debian:bookworm AS build
WORKDIR /src
# setup alone first, so the package layer is reused until the script changes.
COPY scripts/setup scripts/setup
RUN scripts/setup && rm -rf /var/lib/apt/lists/*
COPY . .
# scripts/build re-runs setup (a no-op now) and builds into build/ with -Werror;
# tests and benchmarks are not part of the image. Same -O2 as the tested
# RelWithDebInfo build, without -g: strip would drop the debug info anyway,
# and not generating it shortens the compile.
RUN rm -rf build \
    && SLUICE_JOBS="$(nproc)" scripts/build -DSLUICE_BUILD_TESTS=OFF -DSLUICE_BUILD_BENCH=OFF -DSLUICE_COUNT_ALLOCATIONS=OFF \
       -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -DNDEBUG" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O2 -DNDEBUG" \
    && strip build/sluice

FROM debian:bookworm-slim
# What `ldd sluice` lists beyond what slim already has (libc, libstdc++,
# libgcc_s; Boost and llhttp are compiled in):
#   libssl3        TLS termination, and the Kubernetes API client
#   libyaml-0-2    the --manifests loader
#   libsimdjson14  decoding the Kubernetes API's JSON
#   libre2-9       linear-time regexes (CORS origins, block-user-agents, ...)
#   (libcrypt1, for basic-auth hashes, is in slim already)
#   ca-certificates  for any TLS peer that is not the API server (whose CA
#                  comes from the service account)
# The user: 65532 as distroless's nonroot. useradd --system warns for a uid
# above SYS_UID_MAX (999), so the range is raised for this one call instead of
# making sluice a login user (which would get password aging and subuids).
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
       libssl3 libyaml-0-2 libsimdjson14 libre2-9 ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system -K SYS_GID_MAX=65532 --gid 65532 sluice \
    && useradd --system -K SYS_UID_MAX=65532 --uid 65532 --gid 65532 --no-create-home \
       --home-dir /nonexistent --shell /usr/sbin/nologin sluice
COPY --from=build /src/build/sluice /usr/local/bin/sluice
# Apache-2.0 asks that a copy of the license go with the binary.
COPY LICENSE /usr/share/doc/sluice/LICENSE
# Numeric, so Kubernetes can check runAsNonRoot without reading /etc/passwd.
# Unprivileged: the listeners use ports above 1024 (the Service maps 80/443).
USER 65532:65532
# http, https, admin (/healthz, /readyz, /metrics; bind it to 0.0.0.0 with
# --admin-listen to reach it from outside the container).
EXPOSE 8080 8443 10254
ENTRYPOINT ["/usr/local/bin/sluice"]
# Last, so a new revision reuses every layer above. scripts/image passes the
# version from CMakeLists.txt (test_image.py checks this default matches it),
# and the three also as --label, which podman's layer cache cannot go stale on.
ARG SLUICE_VERSION=0.1.0
ARG SLUICE_REVISION=unknown
ARG SLUICE_SOURCE=unknown
LABEL org.opencontainers.image.title="sluice" \
      org.opencontainers.image.description="HTTP reverse proxy and Kubernetes Ingress controller" \
      org.opencontainers.image.version="${SLUICE_VERSION}" \
      org.opencontainers.image.revision="${SLUICE_REVISION}" \
      org.opencontainers.image.source="${SLUICE_SOURCE}" \
      org.opencontainers.image.licenses="Apache-2.0"
