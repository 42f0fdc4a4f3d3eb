// Preload: exposes the one typed API to the renderer through contextBridge.
// The API contract and the channel allow-list arrive with the app-shell issue.
import { contextBridge } from 'electron';

contextBridge.exposeInMainWorld('denoiseLab', { platform: 'electron' as const });
