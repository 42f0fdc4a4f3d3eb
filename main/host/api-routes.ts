// The web door's /api/ routes (see server.ts for the list). Requests reaching here have already
// passed the token, Host and Origin checks.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { httpStatus, toCallError, type ApiService } from '../service/api-service.js';
import { ServiceError } from '../../common/contract/index.js';
import { UploadQuotaExceeded, UploadTooLarge, type UploadStore } from './upload.js';

export interface ApiRouteOptions {
  api: ApiService;
  uploads: UploadStore;
  uploadLimit: number;
}

/** decodeURIComponent that answers null for malformed percent-encoding instead of throwing. */
export function decodePathPart(part: string): string | null {
  try {
    return decodeURIComponent(part);
  } catch {
    return null;
  }
}

/** Calls carry small JSON documents; images travel through upload/download routes. */
const MAX_CALL_BYTES = 1024 * 1024;

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

function sendError(res: ServerResponse, e: unknown): void {
  if (e instanceof UploadTooLarge || e instanceof UploadQuotaExceeded) {
    sendJson(res, 413, { error: { code: 'bad-request', message: e.message } });
    return;
  }
  const err = toCallError(e);
  sendJson(res, httpStatus[err.error.code], err);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_CALL_BYTES) throw new ServiceError('bad-request', 'request body too large');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new ServiceError('bad-request', 'the request body is not valid JSON');
  }
}

async function sendFile(res: ServerResponse, file: string | null, type: string, download?: string): Promise<void> {
  const st = file ? await stat(file).catch(() => undefined) : undefined;
  if (!file || !st?.isFile()) {
    sendJson(res, 404, { error: { code: 'not-found', message: 'no such file' } });
    return;
  }
  const headers: Record<string, string | number> = { 'Content-Type': type, 'Content-Length': st.size };
  if (download) headers['Content-Disposition'] = `attachment; filename*=UTF-8''${encodeURIComponent(download)}`;
  res.writeHead(200, headers);
  createReadStream(file).pipe(res);
}

const downloadTypes: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.tif': 'image/tiff',
  '.onnx': 'application/octet-stream',
};

/** The uploaded file an image was opened from, if the request names such an image. */
function uploadBehind(api: ApiService, body: unknown): string | null {
  const imageId = (body as { imageId?: unknown } | null)?.imageId;
  if (typeof imageId !== 'string') return null;
  try {
    return api.jobs.image(imageId).sourcePath;
  } catch {
    return null; // unknown image: api.handle answers that
  }
}

export async function handleApiRequest(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  options: ApiRouteOptions,
): Promise<void> {
  const { api } = options;
  const parts = url.pathname.split('/').slice(2); // ['call', '<channel>'] …
  try {
    if (req.method === 'POST' && parts[0] === 'call' && parts.length === 2) {
      const channel = decodePathPart(parts[1]!);
      const body = await readJson(req);
      const upload = channel === 'images:release' ? uploadBehind(api, body) : null;
      const answer = await api.handle(channel, body);
      if (upload && (answer as { released?: boolean }).released) await options.uploads.release(upload);
      sendJson(res, 200, answer);
      return;
    }
    if (req.method === 'POST' && parts[0] === 'upload' && parts.length === 1) {
      const name = url.searchParams.get('name') ?? 'upload';
      const file = await options.uploads.receive(req, name, options.uploadLimit);
      sendJson(res, 200, { path: file });
      return;
    }
    if (req.method === 'GET' && parts[0] === 'images' && parts.length === 2) {
      const m = /^([\w-]+)\.png$/.exec(parts[1]!);
      await sendFile(res, m ? api.jobs.imagePreviewFile(m[1]!) : null, 'image/png');
      return;
    }
    if (req.method === 'GET' && parts[0] === 'downloads' && parts.length === 3) {
      const name = decodePathPart(parts[2]!);
      if (name === null) throw new ServiceError('bad-request', 'malformed file name in the address');
      const type = downloadTypes[path.extname(name).toLowerCase()] ?? 'application/octet-stream';
      await sendFile(res, api.jobs.downloadFile(parts[1]!, name), type, name);
      return;
    }
    req.resume();
    sendJson(res, 404, { error: { code: 'not-found', message: `no API route ${req.method} ${url.pathname}` } });
  } catch (e) {
    req.resume();
    if (!res.headersSent) sendError(res, e);
    else res.destroy();
  }
}
