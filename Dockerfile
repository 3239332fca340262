# syntax=docker/dockerfile:1
# wikitally as a container: the `bun build --compile` binary on a distroless base.
#
#   docker build -t wikitally .
#   docker run --rm -p 7000:7000 -e JWT_SECRET=... -e ADMIN_PASSWORD=... wikitally
#
# Every config key can be overridden by its upper-cased environment variable (PORT, STORAGE,
# CASSANDRA_HOST, JWT_SECRET, ...); see docker-compose.yml for a run against Cassandra.
#
# Images are pinned by tag only. Pinning by digest (image:tag@sha256:...) is better, but the digests
# could not be looked up where this file was written (no registry access); add them when you can.
# test/compose.test.ts keeps the Bun tag equal to package.json's "packageManager".

# ---- build: compile src/main.ts into one self-contained executable --------------------------------
FROM oven/bun:1.4.5 AS build
WORKDIR /build
# Dependencies first, so editing src/ does not invalidate the install layer.
COPY package.json bun.lock bunfig.toml tsconfig.json ./
RUN bun install --frozen-lockfile
# The sources, and db/init.cql, which src/store/cassandra/schema.ts embeds in the binary.
COPY src ./src
COPY db/init.cql ./db/init.cql
RUN bun run build && ./dist/wikitally --version

# ---- runtime ---------------------------------------------------------------------------------------
# distroless/cc rather than distroless/base. `ldd dist/wikitally` (Bun 1.4.5, x86-64) lists glibc only:
#     libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6
#     /lib64/ld-linux-x86-64.so.2
#     libpthread.so.0 => /lib/x86_64-linux-gnu/libpthread.so.0
#     libdl.so.2 => /lib/x86_64-linux-gnu/libdl.so.2
#     libm.so.6 => /lib/x86_64-linux-gnu/libm.so.6
# so base would satisfy the loader. But the binary calls pthread_exit() and backtrace(), and glibc
# (>= 2.34) dlopen()s libgcc_s.so.1 for them at run time, which ldd cannot show: without it a thread
# exit aborts with "libgcc_s.so.1 must be installed for pthread_exit to work" (reported for Bun
# binaries on distroless/base: elysiajs/elysia#1279, oven-sh/bun#31282). cc is base plus libgcc_s
# (and libstdc++); test/distroless.test.ts runs the binary in a root holding just these libraries.
# :nonroot runs as uid/gid 65532.
FROM gcr.io/distroless/cc-debian12:nonroot
# Root-owned and read-only for the service user.
COPY --from=build /build/dist/wikitally /wikitally
# The repo's config.json: in-memory storage, 0.0.0.0:7000 (checked by test/compose.test.ts).
COPY config.json /etc/wikitally/config.json
# Absolute, so `serve` and `healthcheck` read the same file whatever the working directory.
ENV CONFIG_FILE=/etc/wikitally/config.json
USER nonroot
EXPOSE 7000
# Exec form: distroless has no shell. The subcommand reads the same config and env, so it probes
# 127.0.0.1 on the configured PORT.
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 CMD ["/wikitally", "healthcheck"]
ENTRYPOINT ["/wikitally"]
