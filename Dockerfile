# syntax=docker/dockerfile:1.7
# One image recipe for every YTM service:
#   docker build --build-arg SERVICE=library -t ytm-library .
# SERVICE is router | library | resource | stream.

ARG NODE_IMAGE=node:20-bookworm-slim

# Only the npm manifests, so the dependency layer below is rebuilt when they change, not on every source edit.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN mkdir /out \
 && find . -name node_modules -prune -o \( -name package.json -o -name package-lock.json \) -print0 \
    | tar --null -cf - -T - | tar -C /out -xf -

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY --from=manifests /out/ ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY . .
RUN npx tsc -b
ARG SERVICE
# Stage what the chosen service needs at run time: production node_modules, the shared packages'
# dist, the service folder without src/test, and the repo-level files services read (proto, supergraph).
RUN set -eu; \
    case "${SERVICE:-}" in \
      router) dir=router ;; \
      library|resource|stream) dir="subgraphs/${SERVICE}" ;; \
      *) echo "build arg SERVICE must be router|library|resource|stream (got '${SERVICE:-}')" >&2; exit 1 ;; \
    esac; \
    npm prune --omit=dev --no-audit --no-fund; \
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
    ln -s "$dir" /out/service

FROM ${NODE_IMAGE} AS runtime
ARG SERVICE
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    YTM_SERVICE=${SERVICE}
WORKDIR /app
# ytm-stream transcodes with Debian's ffmpeg (libopus, libmp3lame, aac), checked at start; its cache is a volume.
RUN if [ "${SERVICE}" = stream ]; then \
      apt-get update && apt-get install -y --no-install-recommends ffmpeg && rm -rf /var/lib/apt/lists/* \
      && mkdir -p /var/cache/ytm-transcodes && chown node:node /var/cache/ytm-transcodes; \
    fi
COPY --from=build --chown=node:node /out/ ./
# Mount point of the trust volume: a new named volume takes this owner, so the node user can write the keys.
RUN mkdir /trust && chown node:node /trust
USER node
# /app/service links to router/ or subgraphs/<name>/; node resolves the real path, so
# import.meta.url and relative file lookups (schema.graphql, supergraph) work as in the repo.
CMD ["node", "--enable-source-maps", "service/dist/main.js"]
