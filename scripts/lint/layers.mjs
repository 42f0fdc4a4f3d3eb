// The layers of Denoise Lab and the ESLint rule that keeps imports pointing down (README,
// "Architecture"). Each layer lists the layers it may import; an import of a file in any other
// layer fails `npm run lint`. Paths are resolved, so `../../x` and `../x` are judged by where they
// land, not by how they are spelled.
import path from 'node:path';

/** Most specific folder first. `packages`: the npm packages (and node: builtins) a layer may use. */
export const LAYERS = [
  {
    name: 'common',
    folder: 'common/',
    may: [],
    packages: ['zod'],
    why: 'common/ is process-neutral (no node:, no DOM, no app code): every process, the renderer included, loads it',
  },
  {
    name: 'files',
    folder: 'main/files/',
    may: ['common'],
    why: 'main/files/ (safe writes, temp folders, app paths) sits just above common/',
  },
  {
    name: 'engine',
    folder: 'main/engine/',
    may: ['common'],
    why: 'the engine (IR, gradients, optimizers, ONNX, executors) imports only common/: no file I/O, no imaging, no training loop',
  },
  {
    name: 'imaging',
    folder: 'main/imaging/',
    may: ['common', 'files'],
    why: 'imaging (codecs, noise, metrics, tiling) knows nothing of models',
  },
  {
    name: 'ml',
    folder: 'main/ml/',
    may: ['common', 'files', 'engine', 'imaging'],
    why: 'ml/ (training, inference, analysis) builds on the engine and imaging, and knows no process or door',
  },
  {
    name: 'service',
    folder: 'main/service/',
    may: ['common', 'files', 'engine', 'imaging', 'ml'],
    why: 'the service runs jobs in the worker; the doors call it, it calls none of them',
  },
  {
    name: 'worker',
    folder: 'main/worker/',
    may: ['common', 'files', 'engine', 'imaging', 'ml', 'service'],
    why: 'the worker runs jobs for the service (its protocol lives in service/); no door',
  },
  {
    name: 'electron',
    folder: 'main/electron/',
    may: ['common', 'files', 'service'],
    why: 'a door (Electron) talks to the service only',
  },
  {
    name: 'host',
    folder: 'main/host/',
    may: ['common', 'files', 'service'],
    why: 'a door (the web host) talks to the service only',
  },
  {
    name: 'cli',
    folder: 'main/cli/',
    may: ['common', 'files', 'engine', 'imaging', 'ml', 'service'],
    why: 'the CLI is a door that runs ml/ directly (headless, no worker); it is no other door',
  },
  {
    name: 'preload',
    folder: 'preload/',
    may: ['common'],
    packages: ['electron'],
    why: 'the preload is the contract door: common/ only',
  },
  {
    name: 'renderer',
    folder: 'renderer/',
    may: ['common'],
    typesFrom: ['preload'],
    why: 'the renderer runs in the page: common/ and preload types only',
  },
  {
    name: 'bench',
    folder: 'bench/',
    may: ['common', 'files', 'engine', 'imaging', 'ml', 'service', 'cli'],
    why: 'benchmarks are dev-only: they use the app, nothing uses them',
  },
];

export function layerOf(file, root) {
  const rel = path.relative(root, file).split(path.sep).join('/');
  return LAYERS.find((l) => rel.startsWith(l.folder)) ?? null;
}

/** The rule: `layers/imports-point-down`. */
export const importsPointDown = {
  meta: { type: 'problem', schema: [], docs: { description: 'imports only point down the layers' } },
  create(context) {
    const root = context.cwd;
    const file = context.filename;
    const layer = layerOf(file, root);
    if (!layer) return {};
    function check(node, source, typeOnly) {
      if (!source || typeof source.value !== 'string') return;
      const spec = source.value;
      if (!spec.startsWith('.')) {
        if (!layer.packages) return;
        const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
        if (!layer.packages.includes(pkg))
          context.report({ node, message: `Import against the layers: '${spec}' in ${layer.folder}; ${layer.why}.` });
        return;
      }
      const target = layerOf(path.resolve(path.dirname(file), spec), root);
      if (!target || target === layer || layer.may.includes(target.name)) return;
      if (typeOnly && layer.typesFrom?.includes(target.name)) return;
      context.report({
        node,
        message: `Import against the layers: ${layer.folder} may not import ${target.folder}; ${layer.why}.`,
      });
    }
    const typeOnlyDecl = (n) =>
      n.importKind === 'type' ||
      n.exportKind === 'type' ||
      (n.specifiers?.length > 0 && n.specifiers.every((s) => s.importKind === 'type' || s.exportKind === 'type'));
    return {
      ImportDeclaration: (n) => check(n, n.source, typeOnlyDecl(n)),
      ExportNamedDeclaration: (n) => check(n, n.source, typeOnlyDecl(n)),
      ExportAllDeclaration: (n) => check(n, n.source, n.exportKind === 'type'),
      ImportExpression: (n) => check(n, n.source, false),
    };
  },
};

export const layersPlugin = { rules: { 'imports-point-down': importsPointDown } };
