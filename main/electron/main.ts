// Electron main process: one secure window whose renderer is served through the app:// protocol,
// and the job service behind the preload's typed API. Heavy work never runs here; it goes to the
// job service's worker thread.
import { app, BrowserWindow, ipcMain, net, protocol, screen, session, shell, type WebContents } from 'electron';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { contentSecurityPolicy } from '../../common/content-security-policy.js';
import { modelsDir, packageRoot, rendererDir } from '../files/app-paths.js';
import { ApiService, channelNames } from '../service/api-service.js';
import { jobEventChannel } from '../../common/contract/index.js';
import { resolveDataDir } from '../service/data-dir.js';
import { JobService } from '../service/job-service.js';
import { nativeDialogs } from './dialogs.js';
import { externalLinkAllowed, navigationAllowed } from './guards.js';
import { appHost, appOrigin, appScheme, handleIpcCall, isTrustedSender } from './ipc.js';
import { fitToDisplays, loadWindowState, saveWindowState, type WindowState } from './window-state.js';

protocol.registerSchemesAsPrivileged([
  { scheme: appScheme, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
]);

let mainWindow: BrowserWindow | null = null;

function withIsolationHeaders(res: Response, extra: Record<string, string> = {}): Response {
  const headers = new Headers(res.headers);
  headers.set('Content-Security-Policy', contentSecurityPolicy);
  // Cross-origin isolation lets onnxruntime-web use threads in the renderer.
  headers.set('Cross-Origin-Opener-Policy', 'same-origin');
  headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
  headers.set('Cross-Origin-Resource-Policy', 'same-origin');
  for (const [k, v] of Object.entries(extra)) headers.set(k, v);
  return new Response(res.body, { status: res.status, headers });
}

/** app://denoise-lab/… → the built renderer, plus the image and download URLs of the contract. */
function serveApp(jobs: JobService): void {
  protocol.handle(appScheme, async (request) => {
    const { host, pathname } = new URL(request.url);
    if (host !== appHost) return new Response('not found', { status: 404 });
    let file: string | null;
    const image = /^\/api\/images\/([\w-]+)\.png$/.exec(pathname);
    const download = /^\/api\/downloads\/([\w-]+)\/([^/]+)$/.exec(pathname);
    if (image) file = jobs.imagePreviewFile(image[1]!);
    else if (download) file = jobs.downloadFile(download[1]!, decodeURIComponent(download[2]!));
    else {
      file = path.resolve(rendererDir, '.' + decodeURIComponent(pathname === '/' ? '/index.html' : pathname));
      if (!file.startsWith(rendererDir + path.sep)) return new Response('forbidden', { status: 403 });
    }
    if (!file) return new Response('not found', { status: 404 });
    return withIsolationHeaders(await net.fetch(pathToFileURL(file).toString()));
  });
}

function registerIpc(api: ApiService): void {
  for (const channel of channelNames) {
    ipcMain.handle(channel, (event, request: unknown) => handleIpcCall(api, event.senderFrame?.url, channel, request));
  }
  api.jobs.onEvent((e) => {
    const wc = mainWindow?.webContents;
    if (wc && !wc.isDestroyed() && isTrustedSender(wc.getURL())) wc.send(jobEventChannel, e);
  });
}

async function createWindow(stateFile: string): Promise<BrowserWindow> {
  const saved = fitToDisplays(
    await loadWindowState(stateFile),
    screen.getAllDisplays().map((d) => d.workArea),
  );
  const win = new BrowserWindow({
    ...(saved.x !== undefined && saved.y !== undefined ? { x: saved.x, y: saved.y } : {}),
    width: saved.width,
    height: saved.height,
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
  if (saved.maximized) win.maximize();
  win.once('ready-to-show', () => win.show());
  win.on('close', () => {
    const b = win.getNormalBounds();
    const state: WindowState = {
      x: b.x,
      y: b.y,
      width: Math.max(960, b.width),
      height: Math.max(640, b.height),
      maximized: win.isMaximized(),
    };
    void saveWindowState(stateFile, state).catch(() => undefined);
  });
  void win.loadURL(`${appOrigin}/index.html`);
  return win;
}

/**
 * Every web contents (the window, and any frame or view it might get) stays on our page: no
 * navigation, redirect or frame navigation elsewhere, no new windows, no <webview>; the project's
 * documentation links open in the system browser, anything else is refused and logged.
 */
function guardContents(wc: WebContents): void {
  const stay = (e: { url: string; preventDefault(): void }, what: string) => {
    if (navigationAllowed(e.url)) return;
    e.preventDefault();
    console.warn(`blocked a ${what} to ${e.url}`);
  };
  wc.on('will-navigate', (e) => stay(e, 'navigation'));
  wc.on('will-redirect', (e) => stay(e, 'redirect'));
  wc.on('will-frame-navigate', (e) => stay(e, 'frame navigation'));
  wc.on('will-attach-webview', (e) => e.preventDefault());
  wc.setWindowOpenHandler(({ url }) => {
    if (externalLinkAllowed(url)) void shell.openExternal(url);
    else console.warn(`refused to open ${url} (not one of the app's documentation links)`);
    return { action: 'deny' };
  });
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('web-contents-created', (_e, wc) => guardContents(wc));
  app.on('second-instance', () => {
    if (mainWindow) {
      if (mainWindow.isMinimized()) mainWindow.restore();
      mainWindow.focus();
    }
  });
  void app.whenReady().then(async () => {
    // Deny every permission (camera, notifications, clipboard, openExternal…): the app needs none.
    // Requests are answered no, and checks (which some APIs make without a request) say no too.
    session.defaultSession.setPermissionRequestHandler((_wc, _perm, callback) => callback(false));
    session.defaultSession.setPermissionCheckHandler(() => false);
    const userData = app.getPath('userData');
    const jobs = new JobService({
      workerPath: path.join(packageRoot, 'out', 'worker', 'worker.js'),
      dataDir: resolveDataDir({ electronUserData: userData }),
      shippedModelsDir: modelsDir,
    });
    const api = new ApiService(jobs, { door: 'electron', dialogs: nativeDialogs(() => mainWindow) });
    serveApp(jobs);
    registerIpc(api);
    mainWindow = await createWindow(path.join(userData, 'window-state.json'));
    mainWindow.on('closed', () => (mainWindow = null));
    app.on('before-quit', () => void jobs.close());
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}
