// The local web host: serves the built renderer and the API on 127.0.0.1 with a per-run token.
// It is the door used when Electron is not installed (and by the end-to-end tests).
//
// Auth, without cookies (a cookie is not scoped by port, so any other local server the browser
// visits would receive it): the token reaches the page once, in the URL it is opened with
// (?token=); the page keeps it in sessionStorage and removes it from the address bar. Every API
// request carries it in the X-Denoise-Token header, the event socket in its ?token= query. A cookie
// is never set nor accepted. Two kinds of request need no token: the page's own static files (the
// public renderer bundle, no user data) and `GET /api/images/<id>.png` of an open image, whose
// random id (122 bits, known only to token holders, void after images:release) is the capability
// that lets <img src> work. Downloads are fetched with the header. A request whose Origin is not
// this host's own is refused with 403, and so is one whose Host header is not the loopback address
// (DNS rebinding). Every request is total: a malformed one gets a 4xx, never a crash.
//
// Host files: the service reads and writes host paths only inside the folders granted with
// `--allow <dir>` (see main/service/path-grants.ts), plus this host's upload folder.
//
// API routes (api-routes.ts):
//   POST /api/call/<channel>   JSON request → JSON response, or {error: {code, message}}
//   POST /api/upload?name=…    raw file body, streamed to a temp folder → {path}
//   GET  /api/images/<id>.png  an image's 8-bit PNG;   GET /api/downloads/<id>/<name>  an export
//   WS   /api/events?token=…   job events, one JSON JobEvent per message
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { rmSync } from 'node:fs';
import { makeOwnedTempDir } from '../files/owned-temp-dir.js';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { rendererDir } from '../files/app-paths.js';
import type { ApiService } from '../service/api-service.js';
import { decodePathPart, handleApiRequest } from './api-routes.js';
import { attachEventSocket } from './events-socket.js';
import { UploadStore, type UploadQuota } from './upload.js';
import { contentSecurityPolicy } from '../../common/content-security-policy.js';

export interface HostOptions {
  port?: number;
  /** Folder with the built renderer (index.html + assets). */
  root?: string;
  token?: string;
  /** The service behind /api/ (without it, the host serves the page only). */
  api?: ApiService;
  /** Largest accepted upload in bytes (default 1 GiB). */
  uploadLimitBytes?: number;
  /** Most bytes and files of uploads kept on disk at once (defaults in upload.ts). */
  uploadQuota?: Partial<UploadQuota>;
}

/** Longer request targets are refused with 414 before any parsing. */
const MAX_URL_LENGTH = 8 * 1024;

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

/**
 * The token of a request: the X-Denoise-Token header for HTTP, the ?token= query for the event
 * socket (browsers cannot set headers on a WebSocket). Never a cookie.
 */
export function requestToken(req: IncomingMessage, url: URL, socket = false): string | null {
  if (socket) return url.searchParams.get('token');
  const header = req.headers['x-denoise-token'];
  return typeof header === 'string' ? header : null;
}

async function serveStatic(root: string, pathname: string, res: ServerResponse): Promise<void> {
  const rel = decodePathPart(pathname === '/' ? '/index.html' : pathname);
  if (rel === null || rel.includes('\0')) {
    res.writeHead(400, { 'Content-Type': 'text/plain' }).end('bad request');
    return;
  }
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
 * requests and the WebSocket upgrade. `open` requests (static files, capability URLs) skip only
 * the token check, never the Host and Origin checks.
 */
export function refusal(
  req: IncomingMessage,
  url: URL,
  token: string,
  port: number,
  how: { socket?: boolean; open?: boolean } = {},
): number | null {
  const host = req.headers.host;
  if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) return 403;
  const origin = req.headers.origin;
  // Browsers send Origin on cross-site requests (and on same-site POSTs): only our own may pass.
  if (origin !== undefined && origin !== `http://127.0.0.1:${port}` && origin !== `http://localhost:${port}`)
    return 403;
  if (req.headers['sec-fetch-site'] === 'cross-site') return 403;
  if (how.open) return null;
  if (!tokenMatches(requestToken(req, url, how.socket), token)) return 401;
  return null;
}

/** Upload folders are `denoise-lab-uploads-<pid>-XXXXXX` (see common/owned-temp-dir.ts). */
export const UPLOADS_PREFIX = 'denoise-lab-uploads-';

export async function startHost(options: HostOptions = {}): Promise<RunningHost> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const root = options.root ?? rendererDir;
  const uploadDir = makeOwnedTempDir(UPLOADS_PREFIX);
  // The user's photos must not outlive the host, even when it exits without close().
  const removeUploads = (): void => rmSync(uploadDir, { recursive: true, force: true });
  process.once('exit', removeUploads);
  const apiOptions = options.api
    ? {
        api: options.api,
        uploads: new UploadStore(uploadDir, options.uploadQuota),
        uploadLimit: options.uploadLimitBytes ?? 1024 ** 3,
      }
    : null;
  options.api?.grants.allow(uploadDir);

  /** An open image's preview URL: its unguessable id is the capability (see the header comment). */
  function isImageCapability(req: IncomingMessage, url: URL): boolean {
    const m = /^\/api\/images\/([\w-]{1,100})\.png$/.exec(url.pathname);
    return (
      (req.method === 'GET' || req.method === 'HEAD') && m !== null && options.api?.jobs.imagePreviewFile(m[1]!) != null
    );
  }

  function route(req: IncomingMessage, res: ServerResponse): void {
    securityHeaders(res);
    const reject = (status: number, why: string): void => {
      req.resume();
      res.writeHead(status, { 'Content-Type': 'text/plain' }).end(`Denoise Lab: ${why}\n`);
    };
    if ((req.url ?? '').length > MAX_URL_LENGTH) return reject(414, 'the address is too long');
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://127.0.0.1');
    } catch {
      return reject(400, 'malformed address');
    }
    const isApi = url.pathname.startsWith('/api/');
    const status = refusal(req, url, token, port, { open: !isApi || isImageCapability(req, url) });
    if (status !== null)
      return reject(status, status === 401 ? 'missing or wrong token' : 'request from a foreign origin or host');
    if (isApi) {
      if (!apiOptions) return reject(404, 'not found');
      void handleApiRequest(req, res, url, apiOptions).catch(() => res.destroy());
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return reject(405, 'method not allowed');
    void serveStatic(root, url.pathname, res).catch(() => res.destroy());
  }

  let port = 0;
  const server = createServer((req, res) => {
    // Totality: whatever a request holds, it gets an answer (or a closed socket), never a crash.
    try {
      route(req, res);
    } catch {
      if (!res.headersSent) res.writeHead(400, { 'Content-Type': 'text/plain' }).end('Denoise Lab: bad request\n');
      else res.destroy();
    }
  });
  const wss = options.api
    ? attachEventSocket({
        server,
        refuse: (req, url) => refusal(req, url, token, port, { socket: true }),
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
      process.off('exit', removeUploads);
      removeUploads();
    },
  };
}
