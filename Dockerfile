# One image for every kuberdd role: `kuberdd operator`, `kuberdd driver`, `kuberdd executor`.
#   docker build -t kuberdd:dev .
#   docker run --rm kuberdd:dev --help

FROM node:20-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# Scripts off: `prepare` would compile before the sources are copied.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json

FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /src/dist ./dist
COPY bin ./bin
COPY crds ./crds
COPY examples ./examples
RUN ln -s /app/bin/kuberdd.js /usr/local/bin/kuberdd
# The `node` user of the base image, by number so that runAsNonRoot can verify it.
USER 1000:1000
ENTRYPOINT ["node", "/app/bin/kuberdd.js"]
CMD ["--help"]
