# standin as a container: a release build in a Rust image, then the binary alone on a
# small Debian base, run as a non-root user. Checked with `docker build -t standin .`
# where Docker can pull its base images (see README, "Running a shared mock service").
#
#   docker run -p 4010:4010 standin                      # an empty service
#   docker run -p 4010:4010 -e STANDIN_STORE=redis://redis:6379/0 standin

FROM rust:1.89-slim-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock rustfmt.toml ./
COPY crates crates
COPY bench bench
RUN cargo build --release --locked -p standin \
 && strip target/release/standin

FROM debian:bookworm-slim
# curl for the HEALTHCHECK; ca-certificates for rediss:// and https upstreams.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /srv/standin --create-home standin
COPY --from=build /src/target/release/standin /usr/local/bin/standin
USER 10001:10001
WORKDIR /srv/standin
EXPOSE 4010
# Clients reach the admin API from other addresses: they need the token.
ENV STANDIN_ADMIN_TOKEN=""
HEALTHCHECK --interval=10s --timeout=2s --start-period=5s --retries=3 \
  CMD curl -fsS http://127.0.0.1:4010/__admin/health >/dev/null || exit 1
ENTRYPOINT ["standin", "serve"]
CMD ["--host", "0.0.0.0", "--port", "4010"]
