# syntax=docker/dockerfile:1
# The one Climatik image: `climatik extender | capper | node-agent | plan | simulate ...`
# (deploy/ runs each component with its subcommand as args). Build: docker build -t climatik .

# --- build: full dependencies, compile TypeScript to dist/ -------------------------------------
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would run tsc before the sources are copied; the build runs below.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY common/ common/
COPY rack-model/ rack-model/
COPY telemetry/ telemetry/
COPY extender/ extender/
COPY capper/ capper/
COPY simulator/ simulator/
COPY cli/ cli/
COPY benchmarks/ benchmarks/
# benchmarks/ import the test Prometheus helpers, so tsconfig.build.json compiles them too.
COPY test/prometheus/ test/prometheus/
RUN npm run build

# --- runtime: production dependencies and the compiled code only -------------------------------
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /src/dist/ dist/
COPY bin/ bin/
# Scenarios, topologies and traces of `climatik simulate` (found by walking up from dist/).
COPY data/ data/
# Numeric, so Kubernetes can verify runAsNonRoot; uid 1000 is the image's `node` user. The node
# agent's DaemonSet overrides it with root (nvidia-smi -pl needs it).
USER 1000:1000
ENTRYPOINT ["node", "bin/climatik.js"]
