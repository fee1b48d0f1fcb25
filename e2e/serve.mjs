// A static file server for www/ on 127.0.0.1 (port 0 = any free port), for the tests and the
// benchmark runner. Serves .wasm as application/wasm; no caching headers, no special headers
// (no COOP/COEP: the notebook must work on any static host).
import http from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";

export const WWW = fileURLToPath(new URL("../www/", import.meta.url));
const TYPES = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8", ".wasm": "application/wasm", ".json": "application/json",
  ".woff2": "font/woff2", ".svg": "image/svg+xml", ".png": "image/png", ".webmanifest": "application/manifest+json",
};

/**
 * Starts a server for `root`; resolves to { url, close, requests }. `extra` maps paths to HTML
 * bodies served in place of files (a host page for the cross-origin embedding test).
 */
export function serve(root = WWW, host = "127.0.0.1", extra = {}) {
  const requests = [];
  const server = http.createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    requests.push(path);
    if (extra[path] !== undefined) {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(extra[path]);
      return;
    }
    const file = normalize(join(root, path.endsWith("/") ? `${path}index.html` : path));
    if (!file.startsWith(normalize(root))) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    }
  });
  return new Promise((resolve) =>
    server.listen(0, host, () => {
      const { port } = server.address();
      resolve({ url: `http://${host}:${port}`, requests, close: () => new Promise((r) => server.close(r)) });
    }),
  );
}
