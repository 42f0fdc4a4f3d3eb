// The local web host: serves the built renderer on 127.0.0.1 with a per-run token.
// It is the door used when Electron is not installed (and by the end-to-end tests).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { rendererDir } from '../paths.js';

export interface HostOptions {
  port?: number;
  /** Folder with the built renderer (index.html + assets). */
  root?: string;
  token?: string;
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

export async function startHost(options: HostOptions = {}): Promise<RunningHost> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const root = options.root ?? rendererDir;
  const server = createServer((req, res) => {
    securityHeaders(res);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (!tokenMatches(requestToken(req, url), token)) {
      res.writeHead(401, { 'Content-Type': 'text/plain' }).end('Denoise Lab: missing or wrong token\n');
      return;
    }
    if (url.searchParams.has('token')) {
      // Remember the token for the page's own asset requests, which carry no query string.
      res.setHeader('Set-Cookie', `denoise_token=${token}; HttpOnly; SameSite=Strict; Path=/`);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    void serveStatic(root, url.pathname, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Loopback only: the host must never be reachable from another machine.
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('web host: no TCP address');
  const port = address.port;
  return {
    server,
    port,
    token,
    url: `http://127.0.0.1:${port}/?token=${token}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
