# Multi-stage build: compile with the project's own scripts on Debian bookworm,
# then ship the binary with only its runtime libraries.
FROM debian:bookworm AS build
WORKDIR /src
COPY scripts/setup scripts/setup
RUN scripts/setup && rm -rf /var/lib/apt/lists/*
COPY . .
RUN rm -rf build && SLUICE_JOBS="$(nproc)" scripts/build -DSLUICE_BUILD_TESTS=OFF -DSLUICE_BUILD_BENCH=OFF \
    && strip build/sluice

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends libssl3 libyaml-cpp0.7 libsimdjson14 ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 65532 --no-create-home --shell /usr/sbin/nologin sluice
COPY --from=build /src/build/sluice /usr/local/bin/sluice
USER 65532:65532
EXPOSE 8080 10254
ENTRYPOINT ["/usr/local/bin/sluice"]
