// The Electron door's IPC rules, as plain functions so they can be tested without Electron:
// only our own page (the app:// origin, main frame or its same-origin frames) may call, only on
// the channels of the contract's allow-list, and every request is validated by ApiService.
// Answers travel as an envelope, because Electron turns a thrown error into a generic
// "Error invoking remote method" message.
import { isChannel, type CallError } from '../../common/contract/index.js';
import { toCallError, type ApiService } from '../service/api-service.js';

export const appScheme = 'app';
export const appHost = 'denoise-lab';
export const appOrigin = `${appScheme}://${appHost}`;

export type IpcEnvelope = { ok: true; value: unknown } | ({ ok: false } & CallError);

/** True when a frame URL belongs to our renderer. */
export function isTrustedSender(frameUrl: string | null | undefined): boolean {
  if (!frameUrl) return false;
  try {
    const u = new URL(frameUrl);
    return u.protocol === `${appScheme}:` && u.host === appHost;
  } catch {
    return false;
  }
}

/** One IPC call, checked and answered. `frameUrl` is `event.senderFrame?.url`. */
export async function handleIpcCall(
  api: ApiService,
  frameUrl: string | null | undefined,
  channel: string,
  request: unknown,
): Promise<IpcEnvelope> {
  if (!isTrustedSender(frameUrl))
    return { ok: false, error: { code: 'forbidden', message: `IPC from an untrusted frame (${frameUrl ?? 'none'})` } };
  if (!isChannel(channel))
    return { ok: false, error: { code: 'bad-request', message: `unknown channel '${channel}'` } };
  try {
    return { ok: true, value: await api.handle(channel, request) };
  } catch (e) {
    return { ok: false, ...toCallError(e) };
  }
}
