# syntax=docker/dockerfile:1.7
# One recipe for every YTM image; the service is the target stage:
#   docker build --target library -t ytm-library .
# Targets: router | library | resource | stream | subsonic (docker-compose.yml names them).
# NODE_IMAGE is the base of every stage: an official Node 20 image by default; `npm run test:compose`
# builds on a Debian trixie root file system with Debian's nodejs (20.19), which has no npm, only corepack.
# The images share their layers up to the last one: the base, the writable directories, then the
# production node_modules and the shared packages (one layer, the same in every image); each image
# adds only its own service's build (the router also the web player's); stream also adds ffmpeg.

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
# The services (tsc -b) and the web player (vite: web/dist, which the router serves at /), built once
# for every image; then the dev dependencies (typescript, vite, ...) go.
RUN node node_modules/typescript/bin/tsc -b \
 && (cd web && node ../node_modules/vite/bin/vite.js build --logLevel warn) \
 && test -f web/dist/index.html \
 && npm prune --omit=dev --no-audit --no-fund
# The run-time tree, split in two: /out/common is what every service needs (production node_modules,
# the shared packages' dist, proto and the supergraph); /out/<service> is one service's folder without
# src/test, and for the router the web player's build (web/dist, its WEB_DIST_PATH default).
RUN set -eu; \
    mkdir -p /out/common; \
    cp -a package.json package-lock.json node_modules /out/common/; \
    for f in proto supergraph.graphql supergraph.yaml; do if [ -e "$f" ]; then cp -a "$f" /out/common/; fi; done; \
    for p in packages/*/; do \
      mkdir -p "/out/common/$p"; cp -a "$p/package.json" "/out/common/$p"; \
      if [ -d "$p/dist" ]; then cp -a "$p/dist" "/out/common/$p"; fi; \
    done; \
    for dir in router subsonic subgraphs/library subgraphs/resource subgraphs/stream; do \
      out="/out/$(basename "$dir")/$dir"; mkdir -p "$out"; \
      tar -C "$dir" --exclude=./src --exclude=./test --exclude='./*.tsbuildinfo' --exclude=./node_modules -cf - . | tar -C "$out" -xf -; \
      test -f "$out/dist/main.js" || { echo "$dir/dist/main.js was not built" >&2; exit 1; }; \
    done; \
    mkdir -p /out/router/web; cp -a web/dist /out/router/web/; \
    find /out -name '*.tsbuildinfo' -delete

# Services run as uid/gid 1000 (the official image's `node`; a bare number works on any base). The
# code is root-owned and read-only to them; what they write are volumes mounted on /var/lib/ytm/art
# (library's cover art and thumbnails), /trust (the service keys trust-init writes) and stream's
# transcode cache, created here owned by 1000 so that a new named volume mounted on them starts with
# that owner.
FROM ${NODE_IMAGE} AS os
RUN mkdir -p /var/lib/ytm/art /trust /var/cache/ytm-transcodes \
 && chown 1000:1000 /var/lib/ytm/art /trust /var/cache/ytm-transcodes
ENV NODE_ENV=production \
    HOST=0.0.0.0
WORKDIR /app

FROM os AS runtime
COPY --from=build /out/common/ ./

# ytm-stream transcodes with Debian's ffmpeg (libopus, libmp3lame, aac), checked at start; installed
# before the code so that a code change does not install it again.
FROM os AS stream
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg && apt-get clean && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/common/ ./
COPY --from=build /out/stream/ ./
ENV YTM_SERVICE=stream
USER 1000:1000
CMD ["node", "--enable-source-maps", "subgraphs/stream/dist/main.js"]

FROM runtime AS library
COPY --from=build /out/library/ ./
ENV YTM_SERVICE=library
USER 1000:1000
CMD ["node", "--enable-source-maps", "subgraphs/library/dist/main.js"]

FROM runtime AS resource
COPY --from=build /out/resource/ ./
ENV YTM_SERVICE=resource
USER 1000:1000
CMD ["node", "--enable-source-maps", "subgraphs/resource/dist/main.js"]

FROM runtime AS subsonic
COPY --from=build /out/subsonic/ ./
ENV YTM_SERVICE=subsonic
USER 1000:1000
CMD ["node", "--enable-source-maps", "subsonic/dist/main.js"]

# The router: the federated API, the relays and the web player at /; trust-init runs this image too.
FROM runtime AS router
COPY --from=build /out/router/ ./
ENV YTM_SERVICE=router
USER 1000:1000
CMD ["node", "--enable-source-maps", "router/dist/main.js"]
