// The local web host: serves the built renderer and the API on 127.0.0.1 with a per-run token.
// It is the door used when Electron is not installed (and by the end-to-end tests).
//
// Every request and the event socket must carry the token (query, X-Denoise-Token header, or the
// cookie set when the page is first opened with ?token=): 401 otherwise. A request whose Origin is
// not this host's own (another web site in the same browser) is refused with 403, and so is one
// whose Host header is not the loopback address (DNS rebinding). API routes (api-routes.ts):
//   POST /api/call/<channel>   JSON request → JSON response, or {error: {code, message}}
//   POST /api/upload?name=…    raw file body, streamed to a temp folder → {path}
//   GET  /api/images/<id>.png  an image's 8-bit PNG;   GET /api/downloads/<id>/<name>  an export
//   WS   /api/events           job events, one JSON JobEvent per message
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { rendererDir } from '../paths.js';
import type { ApiService } from '../service/api-service.js';
import { handleApiRequest } from './api-routes.js';
import { attachEventSocket } from './events-socket.js';

export interface HostOptions {
  port?: number;
  /** Folder with the built renderer (index.html + assets). */
  root?: string;
  token?: string;
  /** The service behind /api/ (without it, the host serves the page only). */
  api?: ApiService;
  /** Largest accepted upload in bytes (default 1 GiB). */
  uploadLimitBytes?: number;
}

export interface RunningHost {
  server: Server;
  port: number;
  token: string;
  url: string;
  close(): Promise<void>;
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.ico': 'image/x-icon',
};

/** Same policy as the Electron window: nothing remote, no inline script. */
export const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' blob: data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

function securityHeaders(res: ServerResponse): void {
  res.setHeader('Content-Security-Policy', contentSecurityPolicy);
  // Cross-origin isolation lets onnxruntime-web use SharedArrayBuffer threads in the page.
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cache-Control', 'no-store');
}

function tokenMatches(given: string | null | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token may come as ?token=, as the X-Denoise-Token header, or as the cookie set on first load. */
export function requestToken(req: IncomingMessage, url: URL): string | null {
  const fromQuery = url.searchParams.get('token');
  if (fromQuery) return fromQuery;
  const header = req.headers['x-denoise-token'];
  if (typeof header === 'string') return header;
  const cookie = req.headers.cookie ?? '';
  const m = /(?:^|;\s*)denoise_token=([A-Za-z0-9_-]+)/.exec(cookie);
  return m ? m[1]! : null;
}

async function serveStatic(root: string, pathname: string, res: ServerResponse): Promise<void> {
  const rel = decodeURIComponent(pathname === '/' ? '/index.html' : pathname);
  const file = path.resolve(root, '.' + rel);
  if (!file.startsWith(path.resolve(root) + path.sep)) {
    res.writeHead(403).end('forbidden');
    return;
  }
  try {
    const s = await stat(file);
    if (!s.isFile()) throw new Error('not a file');
    const body = await readFile(file);
    res.writeHead(200, { 'Content-Type': contentTypes[path.extname(file)] ?? 'application/octet-stream' });
    res.end(body);
  } catch {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
  }
}

/**
 * Why a request must be refused, as an HTTP status, or null when it may proceed. Shared by HTTP
 * requests and the WebSocket upgrade.
 */
export function refusal(req: IncomingMessage, url: URL, token: string, port: number): number | null {
  const host = req.headers.host;
  if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) return 403;
  const origin = req.headers.origin;
  // Browsers send Origin on cross-site requests (and on same-site POSTs): only our own may pass.
  if (origin !== undefined && origin !== `http://127.0.0.1:${port}` && origin !== `http://localhost:${port}`)
    return 403;
  if (req.headers['sec-fetch-site'] === 'cross-site') return 403;
  if (!tokenMatches(requestToken(req, url), token)) return 401;
  return null;
}

export async function startHost(options: HostOptions = {}): Promise<RunningHost> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const root = options.root ?? rendererDir;
  const uploadDir = mkdtempSync(path.join(tmpdir(), 'denoise-lab-uploads-'));
  let port = 0;
  const server = createServer((req, res) => {
    securityHeaders(res);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const status = refusal(req, url, token, port);
    if (status !== null) {
      const why = status === 401 ? 'missing or wrong token' : 'request from a foreign origin or host';
      res.writeHead(status, { 'Content-Type': 'text/plain' }).end(`Denoise Lab: ${why}\n`);
      req.resume();
      return;
    }
    if (url.searchParams.has('token')) {
      // Remember the token for the page's own asset requests, which carry no query string.
      res.setHeader('Set-Cookie', `denoise_token=${token}; HttpOnly; SameSite=Strict; Path=/`);
    }
    if (url.pathname.startsWith('/api/')) {
      if (!options.api) {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
        return;
      }
      void handleApiRequest(req, res, url, {
        api: options.api,
        uploadDir,
        uploadLimit: options.uploadLimitBytes ?? 1024 ** 3,
      });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    void serveStatic(root, url.pathname, res);
  });
  const wss = options.api
    ? attachEventSocket({
        server,
        refuse: (req, url) => refusal(req, url, token, port),
        subscribe: (listener) => options.api!.jobs.onEvent(listener),
      })
    : null;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Loopback only: the host must never be reachable from another machine.
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('web host: no TCP address');
  port = address.port;
  return {
    server,
    port,
    token,
    url: `http://127.0.0.1:${port}/?token=${token}`,
    close: async () => {
      for (const client of wss?.clients ?? []) client.terminate();
      wss?.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(uploadDir, { recursive: true, force: true });
    },
  };
}
