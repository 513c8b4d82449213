# syntax=docker/dockerfile:1
# One image recipe for every Sigil app:
#   docker build --build-arg APP=contacts -t sigil/contacts .
# APP is one of gateway | keys | contacts | segments | webhooks.
# The build stage compiles the whole monorepo once (tsc, a few seconds); the
# runtime stage keeps only the app's compiled code, the shared libraries and
# production dependencies, and runs as the unprivileged `node` user.

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json tsconfig.build.json ./
COPY apps ./apps
COPY libs ./libs
COPY tools ./tools
RUN npm run build

FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ARG APP
RUN case "${APP}" in gateway|keys|contacts|segments|webhooks) ;; \
      *) echo "build arg APP must be one of gateway|keys|contacts|segments|webhooks (got '${APP}')" >&2; exit 1 ;; \
    esac
# MALLOC_MMAP_THRESHOLD_: glibc's malloc serves every allocation over 128 KB by mmap and gives it back
# on free, instead of raising that threshold after the first such free and keeping later large
# Buffers (an import batch's COPY data, ~2 MB) in its heap, where RSS stays once grown
# (docs/operations.md, "Memory of the Node processes").
ENV NODE_ENV=production \
    SIGIL_APP=${APP} \
    HOST=0.0.0.0 \
    MALLOC_MMAP_THRESHOLD_=131072
WORKDIR /app
COPY --from=prod-deps --chown=root:root /app/node_modules ./node_modules
COPY --chown=root:root package.json ./
COPY --from=build --chown=root:root /src/dist/libs ./dist/libs
COPY --from=build --chown=root:root /src/dist/apps/${APP} ./dist/apps/${APP}
# The web console's static files (served by the gateway at /console; a few hundred KB).
COPY --from=build --chown=root:root /src/dist/apps/console ./dist/apps/console
COPY --chown=root:root deploy/docker/healthcheck.js ./healthcheck.js
# Code is owned by root and read-only for the app; the app writes nothing to disk
# (logs go to stdout), so the root filesystem can be mounted read-only.
USER node
EXPOSE 3000 3001 3002 3003 3004
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 CMD ["node", "healthcheck.js"]
# The migration Job runs the same image with: node dist/apps/<APP>/src/migrate.js
CMD ["sh", "-c", "exec node dist/apps/${SIGIL_APP}/src/main.js"]
