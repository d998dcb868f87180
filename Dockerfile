# sluice's image: build with the project's own scripts on Debian bookworm, then
# ship the stripped binary on bookworm-slim with only its runtime libraries.
#   docker build -t sluice:0.1.0 .
# The same image runs the proxy/controller (the default) and `sluice echo`.

FROM debian:bookworm AS build
WORKDIR /src
# setup alone first, so the package layer is reused until the script changes.
COPY scripts/setup scripts/setup
RUN scripts/setup && rm -rf /var/lib/apt/lists/*
COPY . .
# scripts/build re-runs setup (a no-op now) and builds into build/ with -Werror;
# tests and benchmarks are not part of the image.
RUN rm -rf build \
    && SLUICE_JOBS="$(nproc)" scripts/build -DSLUICE_BUILD_TESTS=OFF -DSLUICE_BUILD_BENCH=OFF \
    && strip build/sluice

FROM debian:bookworm-slim
# The shared libraries sluice links (Boost and llhttp are compiled in), and CA
# certificates for any TLS peer that is not the API server (whose CA comes
# from the service account).
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
       libssl3 libyaml-0-2 libsimdjson14 ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 65532 sluice \
    && useradd --system --uid 65532 --gid 65532 --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin sluice
COPY --from=build /src/build/sluice /usr/local/bin/sluice
# Numeric, so Kubernetes can check runAsNonRoot without reading /etc/passwd.
# Unprivileged: the listeners use ports above 1024 (the Service maps 80/443).
USER 65532:65532
# http, https, admin (/healthz, /readyz, /metrics; bind it to 0.0.0.0 with
# --admin-listen to reach it from outside the container).
EXPOSE 8080 8443 10254
ENTRYPOINT ["/usr/local/bin/sluice"]
