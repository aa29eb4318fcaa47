# aftersales: the Telegram after-sales bot, SQLite on one machine.
# Build:  docker build -t aftersales .
# Run:    docker run -d --name aftersales -e TELOXIDE_TOKEN=... \
#           -v aftersales-data:/data -v "$PWD/aftersales.toml:/etc/aftersales.toml:ro" \
#           -p 127.0.0.1:9187:9187 aftersales
# See README "Running in production".

FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
# TLS is rustls throughout and SQLite is compiled in: no OpenSSL, no libsqlite3.
COPY . .
RUN cargo build --release --locked --bin aftersales

FROM debian:bookworm-slim
# sqlite3 for `.backup`; ca-certificates for the shop's HTTPS services.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates sqlite3 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin aftersales \
    && mkdir -p /data/media \
    && chown -R aftersales:aftersales /data
COPY --from=build /src/target/release/aftersales /usr/local/bin/aftersales
COPY aftersales.example.toml /etc/aftersales.example.toml
USER aftersales
WORKDIR /data
# The database and the media folder (keep [media] dir relative, or under /data).
VOLUME ["/data"]
ENV AFTERSALES_DB=sqlite:///data/aftersales.db \
    AFTERSALES_CONFIG=/etc/aftersales.toml \
    AFTERSALES_LOG_FORMAT=json \
    RUST_LOG=aftersales=info,warn
# The ops endpoint, when the config sets [ops] listen = "0.0.0.0:9187".
EXPOSE 9187
ENTRYPOINT ["aftersales"]
CMD ["serve"]
