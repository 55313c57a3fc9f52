# The Podscope image for people who build with Docker. Kept equivalent to the image the local
# cluster uses (scripts/image/build-image.sh, no Docker needed): same entrypoint, user, port,
# environment and files; test/integration/platform/image.test.ts compares the two.
#   docker build -t podscope .
#   docker run --rm -p 7420:7420 -v ~/.kube/config:/kube/config:ro podscope \
#     --kubeconfig /kube/config --host 0.0.0.0 --allow-remote
# In Kubernetes, use the Helm chart (charts/podscope): it runs this image with --in-cluster.

FROM node:20-bookworm AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN rm -rf dist && npm run build \
  && npm prune --omit=dev --no-audit --no-fund \
  && bash scripts/image/prune-node-modules.sh node_modules \
  && mkdir -p /out/data

FROM node:20-bookworm-slim AS node

# glibc, libstdc++, CA certificates, /tmp and the nonroot user (65532): what Node needs, nothing else.
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=node /usr/local/bin/node /usr/local/bin/node
COPY --from=build /src/package.json /app/package.json
COPY --from=build /src/bin /app/bin
COPY --from=build /src/dist /app/dist
COPY --from=build /src/node_modules /app/node_modules
COPY --from=build --chown=65532:65532 /out/data /data
ENV PATH=/usr/local/bin:/usr/bin:/bin NODE_ENV=production XDG_DATA_HOME=/data
WORKDIR /app
USER 65532:65532
EXPOSE 7420
ENTRYPOINT ["/usr/local/bin/node", "/app/bin/podscope.js"]
