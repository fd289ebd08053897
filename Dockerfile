# madoguchi-hub: runs `madoguchi-hub serve` as a non-root user; the database folder is a volume.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# ssh2's optional native addon needs a compiler; the build stays in this stage.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
    && npm ci --omit=dev \
    && rm -rf /var/lib/apt/lists/*

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    HUB_DATA_DIR=/var/lib/madoguchi-hub/data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY bin ./bin
COPY src ./src
COPY adapters ./adapters
COPY mappings ./mappings
COPY openapi ./openapi
COPY fixtures ./fixtures
RUN mkdir -p /var/lib/madoguchi-hub/data && chown -R node:node /var/lib/madoguchi-hub
USER node
VOLUME ["/var/lib/madoguchi-hub"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "bin/madoguchi-hub.js"]
CMD ["serve"]
