# syntax=docker/dockerfile:1.7
# One image recipe for every YTM service:
#   docker build --build-arg SERVICE=library -t ytm-library .
# SERVICE is router | library | resource | stream | subsonic.
# NODE_IMAGE is the base of every stage: an official Node 20 image by default; `npm run test:compose`
# builds on a Debian trixie root file system with Debian's nodejs (20.19), which has no npm, only corepack.

ARG NODE_IMAGE=node:20-bookworm-slim

# Only the npm manifests, so the dependency layer below is rebuilt when they change, not on every source edit.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN mkdir /out \
 && find . -name node_modules -prune -o \( -name package.json -o -name package-lock.json \) -print0 \
    | tar --null -cf - -T - | tar -C /out -xf -

FROM ${NODE_IMAGE} AS build
# A file of extra CA certificates for npm's downloads, when the build runs behind a TLS-inspecting proxy
# (mount it into the build and name it here); unset, nothing changes.
ARG NODE_EXTRA_CA_CERTS
ARG NPM_VERSION=10.9.2
ENV COREPACK_ENABLE_DOWNLOAD_PROMPT=0
RUN command -v npm >/dev/null || { corepack prepare "npm@${NPM_VERSION}" --activate && corepack enable npm && npm --version; }
WORKDIR /app
COPY --from=manifests /out/ ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY . .
RUN node node_modules/typescript/bin/tsc -b && npm prune --omit=dev --no-audit --no-fund
ARG SERVICE
# Stage what the chosen service needs at run time: production node_modules, the shared packages'
# dist, the service folder without src/test, and the repo-level files services read (proto, supergraph).
RUN set -eu; \
    case "${SERVICE:-}" in \
      router) dir=router ;; \
      subsonic) dir=subsonic ;; \
      library|resource|stream) dir="subgraphs/${SERVICE}" ;; \
      *) echo "build arg SERVICE must be router|library|resource|stream|subsonic (got '${SERVICE:-}')" >&2; exit 1 ;; \
    esac; \
    mkdir -p /out; \
    cp -a package.json package-lock.json node_modules /out/; \
    for f in proto supergraph.graphql supergraph.yaml; do if [ -e "$f" ]; then cp -a "$f" /out/; fi; done; \
    for p in packages/*/; do \
      mkdir -p "/out/$p"; cp -a "$p/package.json" "/out/$p"; \
      if [ -d "$p/dist" ]; then cp -a "$p/dist" "/out/$p"; fi; \
    done; \
    mkdir -p "/out/$dir"; \
    tar -C "$dir" --exclude=./src --exclude=./test --exclude='./*.tsbuildinfo' --exclude=./node_modules -cf - . | tar -C "/out/$dir" -xf -; \
    test -f "/out/$dir/dist/main.js" || { echo "$dir/dist/main.js was not built" >&2; exit 1; }; \
    ln -s "$dir" /out/service; \
    find /out -name '*.tsbuildinfo' -delete

FROM ${NODE_IMAGE} AS runtime
ARG SERVICE
# Services run as uid/gid 1000 (the official image's `node`; a bare number works on any base). The
# code is root-owned and read-only to them; what they write are volumes mounted on /var/lib/ytm/art
# (library's cover art and thumbnails), /trust (the service keys trust-init writes) and stream's
# transcode cache, created here owned by 1000 so that a new named volume mounted on them starts with
# that owner.
RUN mkdir -p /var/lib/ytm/art /trust && chown 1000:1000 /var/lib/ytm/art /trust
# ytm-stream transcodes with Debian's ffmpeg (libopus, libmp3lame, aac), checked at start; its cache is a volume.
RUN if [ "${SERVICE}" = stream ]; then \
      apt-get update && apt-get install -y --no-install-recommends ffmpeg && apt-get clean && rm -rf /var/lib/apt/lists/* \
      && mkdir -p /var/cache/ytm-transcodes && chown 1000:1000 /var/cache/ytm-transcodes; \
    fi
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    YTM_SERVICE=${SERVICE}
WORKDIR /app
COPY --from=build /out/ ./
USER 1000:1000
# /app/service links to router/ or subgraphs/<name>/; node resolves the real path, so
# import.meta.url and relative file lookups (schema.graphql, supergraph) work as in the repo.
CMD ["node", "--enable-source-maps", "service/dist/main.js"]
