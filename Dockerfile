# syntax=docker/dockerfile:1
# Vigil's image: built on Debian bookworm with the same packages as
# tools/install-deps.sh, run from a slim bookworm stage holding only the
# runtime libraries, as an unprivileged user.
#
#   docker build -t vigil:0.1.0 .
#   docker run --rm vigil:0.1.0 --version
#
# The chart (helm/vigil) runs it with a read-only root filesystem as uid
# 10001, the state on a volume at /var/lib/vigil/state and the configuration
# at /etc/vigil/config/vigil.yaml.

FROM debian:bookworm AS build
ENV DEBIAN_FRONTEND=noninteractive
WORKDIR /src
# The install script first, so its layer is reused while only sources change.
COPY tools/install-deps.sh tools/install-deps.sh
RUN bash tools/install-deps.sh --build-only && rm -rf /var/lib/apt/lists/*
COPY CMakeLists.txt ./
# One folder a layer (README, "How it works"); tests/ for its CMakeLists.txt.
COPY app app
COPY config config
COPY core core
COPY detectors detectors
COPY ingest ingest
COPY kafka kafka
COPY pipeline pipeline
COPY review review
COPY series series
COPY sinks sinks
COPY state state
COPY synthetic synthetic
COPY telemetry telemetry
COPY text text
COPY tests tests
COPY web web
RUN cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DVIGIL_BENCHMARKS=OFF \
 && cmake --build build --target vigil -j "$(nproc)" \
 && strip build/vigil \
 && build/vigil --version

FROM debian:bookworm-slim AS runtime
ENV DEBIAN_FRONTEND=noninteractive
# The shared libraries build/vigil links (ldd), by their Debian bookworm
# runtime packages; their own dependencies (OpenSSL, zstd, lz4, snappy...)
# come with them. ca-certificates: the system CAs, used when
# kafka.tls.caKey is empty.
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends \
      librdkafka1 librdkafka++1 librocksdb7.8 libsimdjson14 \
      libprometheus-cpp-core1.0 libcivetweb1 libyaml-cpp0.7 libspdlog1.10 libfmt9 \
      libsqlite3-0 libcurl4 \
      ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 vigil \
 && useradd --system --uid 10001 --gid vigil --home-dir /var/lib/vigil --no-create-home \
      --shell /usr/sbin/nologin vigil \
 && install -d -o vigil -g vigil -m 0750 /var/lib/vigil /var/lib/vigil/state
COPY --from=build /src/build/vigil /usr/local/bin/vigil
USER 10001:10001
WORKDIR /var/lib/vigil
EXPOSE 9464
VOLUME ["/var/lib/vigil/state"]
ENTRYPOINT ["/usr/local/bin/vigil"]
CMD ["run"]
