// Electron main process: one secure window whose renderer is served through the app:// protocol.
// Heavy work never runs here; it goes to the job service's worker thread.
import { app, BrowserWindow, net, protocol, session, shell } from 'electron';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { contentSecurityPolicy } from '../host/server.js';
import { packageRoot, rendererDir } from '../paths.js';

const scheme = 'app';
protocol.registerSchemesAsPrivileged([
  { scheme, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
]);

function serveRenderer(): void {
  protocol.handle(scheme, async (request) => {
    const { pathname } = new URL(request.url);
    const file = path.resolve(rendererDir, '.' + decodeURIComponent(pathname === '/' ? '/index.html' : pathname));
    if (!file.startsWith(rendererDir + path.sep)) return new Response('forbidden', { status: 403 });
    const res = await net.fetch(pathToFileURL(file).toString());
    const headers = new Headers(res.headers);
    headers.set('Content-Security-Policy', contentSecurityPolicy);
    // Cross-origin isolation lets onnxruntime-web use threads in the renderer.
    headers.set('Cross-Origin-Opener-Policy', 'same-origin');
    headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
    return new Response(res.body, { status: res.status, headers });
  });
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 960,
    minHeight: 640,
    title: 'Denoise Lab',
    show: false,
    webPreferences: {
      preload: path.join(packageRoot, 'out', 'preload', 'index.cjs'),
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true,
      webSecurity: true,
    },
  });
  win.once('ready-to-show', () => win.show());
  // No navigation away from the app, no new windows; external links open in the system browser.
  win.webContents.on('will-navigate', (event, url) => {
    if (!url.startsWith(`${scheme}://`)) event.preventDefault();
  });
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  void win.loadURL(`${scheme}://denoise-lab/index.html`);
  return win;
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    const [win] = BrowserWindow.getAllWindows();
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });
  void app.whenReady().then(() => {
    // Deny every permission request (camera, notifications…): the app needs none.
    session.defaultSession.setPermissionRequestHandler((_wc, _perm, callback) => callback(false));
    serveRenderer();
    createWindow();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}
