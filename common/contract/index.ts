// THE contract of Denoise Lab: every request, response and event that crosses a process boundary
// (renderer ⇄ preload ⇄ Electron main, browser ⇄ local web host) is
// declared here once, as a zod schema with its TypeScript type inferred from it. Every door
// validates what it receives with these schemas, so a malformed message is refused with a clear
// error instead of reaching the service.
//
// This folder is imported by the renderer too: it stays free of Node imports (common/ layer). The
// service ⇄ worker protocol is not part of it: main/service/worker-protocol.ts.
//
// How images cross the boundary: an image lives in the service's image store and is named by an
// `imageId`. What crosses is an `ImageInfo` whose `url` is a RELATIVE url (`api/images/<id>.png`)
// that both doors serve from the page's own origin (the Electron app:// protocol and the web
// host), so `<img src={info.url}>` works unchanged in both. The 8-bit sRGB PNG bytes of an image
// can also be fetched with `images.bytes(imageId)` (a Uint8Array) when the renderer needs pixels
// (canvas work). Full-precision data (16-bit, unclipped float) never leaves the service: exports
// write it to files. Everything else in this contract is plain JSON.
export * from './fields.js';
export * from './models.js';
export * from './jobs.js';
export * from './job-events.js';
export * from './app.js';
export * from './validation.js';
export * from './channels.js';
