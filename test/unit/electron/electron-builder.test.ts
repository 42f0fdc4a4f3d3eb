// electron-builder cannot run here (it downloads Electron); check what can be checked offline:
// the config parses, names the targets the issue asks for, packs files that exist, unpacks the
// native modules and wasm files from the asar archive, and sets the Electron fuses.
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

// js-yaml arrives with electron-builder (a devDependency) and ships no types: type what is used.
const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };

interface BuilderConfig {
  appId: string;
  electronVersion: string;
  files: string[];
  asarUnpack: string[];
  linux: { target: string[] };
  mac: { target: string[] };
  win: { target: string[] };
  electronFuses: Record<string, unknown>;
}

const config = yaml.load(readFileSync('electron-builder.yml', 'utf8')) as BuilderConfig;
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  main: string;
  scripts: Record<string, string>;
  optionalDependencies: Record<string, string>;
};

describe('electron-builder.yml', () => {
  it('builds the installers the issue asks for, with the Electron version of package.json', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb', 'tar.gz']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.electronVersion).toBe(pkg.optionalDependencies.electron);
    expect(pkg.scripts.dist).toContain('electron-builder --config electron-builder.yml');
  });

  it('packs folders that exist and the entry points the app starts from', () => {
    for (const pattern of config.files.filter((f) => !f.startsWith('!'))) {
      const root = pattern.split('/')[0]!;
      expect(existsSync(root), `${pattern} names ${root}`).toBe(true);
    }
    expect(config.files).toContain('out/**/*');
    // package.json's main and the preload/worker the main process loads, as the build (run by
    // `npm install`) left them; the dev-only benchmarks are built beside them but not packed.
    expect(pkg.main).toBe('out/main/electron.js');
    for (const entry of [pkg.main, 'out/worker/worker.js', 'out/preload/index.cjs', 'out/renderer/index.html'])
      expect(existsSync(entry), entry).toBe(true);
    expect(config.files).toContain('!out/bench/**');
  });

  it('unpacks sharp, onnxruntime-node and the onnxruntime-web wasm files, which exist', () => {
    expect(config.asarUnpack).toEqual(
      expect.arrayContaining([
        '**/node_modules/{sharp,@img}/**/*',
        '**/node_modules/onnxruntime-node/**/*',
        '**/node_modules/onnxruntime-web/dist/*.wasm',
        '**/node_modules/exiftool-vendored.{pl,exe}/**/*',
      ]),
    );
    expect(existsSync('node_modules/exiftool-vendored.pl/bin/exiftool')).toBe(true);
    expect(existsSync('node_modules/sharp/package.json')).toBe(true);
    expect(readdirSync('node_modules/@img').some((d) => d.startsWith('sharp-'))).toBe(true);
    expect(existsSync('node_modules/onnxruntime-node/package.json')).toBe(true);
    const wasm = readdirSync(path.join('node_modules', 'onnxruntime-web', 'dist')).filter((f) => f.endsWith('.wasm'));
    expect(wasm.length).toBeGreaterThan(0);
  });

  it('flips the Electron fuses: no Node runtime, no inspector, asar only and integrity-checked', () => {
    // Each name must be one electron-builder knows (a misspelt key would be ignored silently).
    const scheme = JSON.parse(readFileSync('node_modules/app-builder-lib/scheme.json', 'utf8')) as {
      definitions: { FuseOptionsV1: { properties: Record<string, unknown> } };
    };
    const known = Object.keys(scheme.definitions.FuseOptionsV1.properties);
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
      grantFileProtocolExtraPrivileges: false,
    });
    for (const fuse of Object.keys(config.electronFuses)) expect(known).toContain(fuse);
  });
});
