// The web door's half of the API: the same DenoiseLabApi object the Electron preload exposes,
// implemented over the local web host (HTTP for calls, uploads and downloads; one WebSocket for
// job events). Protocol (see main/host/api-routes.ts):
//   POST /api/call/<channel>   JSON request → JSON response, or {error: {code, message, details?}}
//   POST /api/upload?name=…    raw file body (streamed by the host to a temp folder) → {path}
//   GET  /api/images/<id>.png  the image's 8-bit PNG;  GET /api/downloads/<id>/<name>  a result
//   WS   /api/events           one JSON JobEvent per message
// The per-run token arrives once in the page URL (?token=…). The shim keeps it in sessionStorage
// (this tab and origin only, gone when the tab closes, never sent anywhere by the browser, unlike a
// cookie) and removes it from the address bar so it does not sit in history; a reload finds it
// there. It travels only in the X-Denoise-Token header (the event socket: its ?token= query).
// Previews (<img src>) use the image's unguessable URL; downloads are fetched with the header.
import { CallFailed, channelApi, type DenoiseLabApi, type JobEvent } from '../../../common/api.js';
import {
  callErrorSchema,
  jobEventSchema,
  parseRequest,
  parseResponse,
  type Channel,
  type ChannelRequest,
  type ChannelResponse,
} from '../../../common/contract/index.js';

export interface WebApiOptions {
  /** Base URL of the host (defaults to the page's own origin). */
  base?: string;
  token?: string | null;
}

export function createWebApi(options: WebApiOptions = {}): DenoiseLabApi {
  const base = options.base ?? window.location.origin;
  const token = options.token ?? pageToken();
  const authHeaders: Record<string, string> = token ? { 'X-Denoise-Token': token } : {};

  async function failure(res: Response): Promise<Error> {
    const text = await res.text();
    try {
      const parsed = callErrorSchema.safeParse(JSON.parse(text));
      if (parsed.success) {
        const { message, code, details } = parsed.data.error;
        return new CallFailed(message, code, details);
      }
    } catch {
      // not JSON: fall through to the status line
    }
    return new Error(`Denoise Lab host: ${res.status} ${text.trim() || res.statusText}`);
  }

  async function call<C extends Channel>(channel: C, request: ChannelRequest<C>): Promise<ChannelResponse<C>> {
    // Validate on this side too, so a bad call fails with the same clear message in both doors.
    const body = parseRequest(channel, request);
    const res = await fetch(`${base}/api/call/${channel}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...authHeaders },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw await failure(res);
    return parseResponse(channel, await res.json());
  }

  async function upload(file: File): Promise<string> {
    const res = await fetch(`${base}/api/upload?name=${encodeURIComponent(file.name)}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream', ...authHeaders },
      body: file,
    });
    if (!res.ok) throw await failure(res);
    const { path } = (await res.json()) as { path: string };
    return path;
  }

  // One WebSocket for all job events, opened on the first subscription and re-opened if it drops.
  const listeners = new Set<(e: JobEvent) => void>();
  let socket: WebSocket | null = null;
  function ensureSocket(): void {
    if (socket && socket.readyState <= WebSocket.OPEN) return;
    const wsBase = base.replace(/^http/, 'ws');
    const ws = new WebSocket(`${wsBase}/api/events${token ? `?token=${encodeURIComponent(token)}` : ''}`);
    ws.onmessage = (m) => {
      const parsed = jobEventSchema.safeParse(JSON.parse(String(m.data)));
      if (!parsed.success) return; // the host only sends valid events; ignore anything else
      for (const l of listeners) l(parsed.data);
    };
    ws.onclose = () => {
      socket = null;
      if (listeners.size > 0) setTimeout(ensureSocket, 1000);
    };
    socket = ws;
  }
  /** Resolves once the event socket is open, so no event of a job started afterwards is missed. */
  function socketOpen(): Promise<void> {
    ensureSocket();
    const ws = socket!;
    if (ws.readyState === WebSocket.OPEN) return Promise.resolve();
    return new Promise((resolve) => {
      ws.addEventListener('open', () => resolve(), { once: true });
      ws.addEventListener('close', () => resolve(), { once: true });
    });
  }

  function chooseFiles(multiple: boolean, accept: string): Promise<File[]> {
    return new Promise((resolve) => {
      const input = document.createElement('input');
      input.type = 'file';
      input.multiple = multiple;
      if (accept) input.accept = accept;
      input.addEventListener('change', () => resolve(Array.from(input.files ?? [])), { once: true });
      input.addEventListener('cancel', () => resolve([]), { once: true });
      input.click();
    });
  }

  const { dialogs: _dialogs, ...calls } = channelApi(call);
  return {
    door: 'web',
    ...calls,
    images: {
      ...calls.images,
      async open(source) {
        const path = typeof source === 'string' ? source : await upload(source);
        return call('images:open', { path });
      },
      async bytes(imageId) {
        const info = await call('images:info', { imageId });
        const res = await fetch(new URL(info.url, `${base}/`), { headers: authHeaders });
        if (!res.ok) throw await failure(res);
        return new Uint8Array(await res.arrayBuffer());
      },
    },
    jobs: {
      ...calls.jobs,
      async start(spec) {
        await socketOpen();
        return calls.jobs.start(spec);
      },
      onEvent(listener) {
        listeners.add(listener);
        ensureSocket();
        return () => {
          listeners.delete(listener);
          if (listeners.size === 0) socket?.close();
        };
      },
    },
    files: {
      async pickFiles(options = {}) {
        const accept = (options.filters ?? []).flatMap((f) => f.extensions.map((e) => `.${e}`)).join(',');
        const files = await chooseFiles(options.multiple ?? true, accept);
        return Promise.all(files.map(upload));
      },
      pickFolder: async () => null,
      saveAs: async () => null,
      async download(downloadUrl, fileName) {
        const res = await fetch(new URL(downloadUrl, `${base}/`), { headers: authHeaders });
        if (!res.ok) throw await failure(res);
        const href = URL.createObjectURL(await res.blob());
        const a = document.createElement('a');
        a.href = href;
        a.download = fileName;
        a.rel = 'noopener';
        document.body.append(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(href), 60_000);
      },
    },
  };
}

const tokenKey = 'denoise-lab-token';

/** The token from the URL the page was opened with (then removed from it), or from this tab's earlier load. */
function pageToken(): string | null {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem(tokenKey, fromUrl);
    url.searchParams.delete('token');
    history.replaceState(history.state, '', url.toString());
    return fromUrl;
  }
  return sessionStorage.getItem(tokenKey);
}
