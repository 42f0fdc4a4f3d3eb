// Job events for the web door: one WebSocket at /api/events. The upgrade is refused (401/403,
// before any WebSocket handshake) without the token or from a foreign Origin, exactly like HTTP.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { JobEvent } from '../../common/contract/index.js';

export interface EventSocketOptions {
  server: Server;
  /** Same checks as for HTTP requests: returns an HTTP status to refuse with, or null to accept. */
  refuse(req: IncomingMessage, url: URL): number | null;
  subscribe(listener: (e: JobEvent) => void): () => void;
}

const statusText: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
};

export function attachEventSocket(options: EventSocketOptions): WebSocketServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  options.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy()); // a peer that vanishes mid-handshake is not our crash
    let status: number | null;
    try {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      status = url.pathname === '/api/events' ? options.refuse(req, url) : 404;
    } catch {
      status = 400; // a malformed address: answered like any other bad request
    }
    if (status !== null) {
      socket.end(
        `HTTP/1.1 ${status} ${statusText[status] ?? 'Bad Request'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
      );
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const off = options.subscribe((e) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(e));
      });
      ws.on('close', off);
      ws.on('error', off);
      // The page sends nothing on this socket; anything it does send is ignored.
    });
  });
  return wss;
}
