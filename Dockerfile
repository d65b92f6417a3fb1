# syntax=docker/dockerfile:1
# meshwright as a container image for CI runners other than GitHub's (GitLab CI, Jenkins,
# Tekton, ...): a static musl binary on distroless/static (no libc, no package manager),
# running as a non-root user with the repository mounted at /work. The `debug-nonroot`
# variant adds only busybox, because GitLab CI runs a job's `script:` through a shell in
# the job's image.
#
#   docker build -t meshwright .
#   docker run --rm -v "$PWD:/work" meshwright validate .

FROM rust:1-alpine AS build
# musl-dev: libgit2, mimalloc and ring compile C; git: build.rs records the commit.
RUN apk add --no-cache musl-dev git
WORKDIR /src
COPY . .
ENV CARGO_PROFILE_RELEASE_DEBUG=false \
    CARGO_PROFILE_RELEASE_STRIP=symbols \
    RUSTFLAGS="--remap-path-prefix=/src=meshwright --remap-path-prefix=/usr/local/cargo=cargo"
RUN cargo build --release --locked --bin meshwright \
    && install -D target/release/meshwright /out/meshwright

FROM gcr.io/distroless/static-debian12:debug-nonroot
COPY --from=build /out/meshwright /usr/local/bin/meshwright
USER nonroot:nonroot
WORKDIR /work
ENTRYPOINT ["meshwright"]
