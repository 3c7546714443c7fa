# One Rocket process (docker-compose.yml runs three behind nginx; README.md, "Scaling").
FROM node:20-bookworm-slim
WORKDIR /app
COPY . .
# npm ci also builds the admin UI (prepare); then the server is compiled to dist/.
RUN npm ci --no-audit --no-fund && npm run build \
  && mkdir -p /data/uploads && chown node:node /data/uploads
USER node
ENV HOST=0.0.0.0 PORT=8080
EXPOSE 8080
CMD ["node", "--enable-source-maps", "--max-semi-space-size=8", "dist/server.js"]
