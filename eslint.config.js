// ESLint finds bugs; Prettier (npm run format) owns formatting. No stylistic rules here.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';

/**
 * The layers, each allowed to import only what lies below it (README, "Architecture"). Every rule
 * names the folders a layer must not reach, as they are spelled in a relative import. The rest of
 * the tree is moving into these layers; each layer is enforced as soon as it is clean.
 */
const layers = [
  {
    files: ['main/common/**/*.ts'],
    forbid: ['engine', 'imaging', 'service', 'worker', 'host', 'cli', 'electron', 'paths.js'],
    why: 'common/ is process-neutral and imports nothing of the app',
  },
  {
    files: ['main/engine/**/*.ts'],
    ignores: ['main/engine/train/**'],
    forbid: ['imaging', 'service', 'worker', 'host', 'cli', 'electron', 'paths.js', 'train'],
    why: 'the engine (IR, gradients, optimizers, ONNX, executors) imports only common/: no I/O, no imaging, no training loop',
  },
];

/** `no-restricted-imports` patterns for relative imports that reach one of `folders`. */
function restrictLayer({ files, ignores, forbid, why }) {
  const folder = forbid.map((f) => f.replace('.', '\\.')).join('|');
  return {
    files,
    ...(ignores ? { ignores } : {}),
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: `^(\\.\\./)+(${folder})(/|$)`, message: `Import against the layers: ${why}.` }] },
      ],
    },
  };
}

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'out/',
      'dist/',
      'test-results/',
      'playwright-report/',
      'types/',
      'coverage/',
      '.cache/',
      '.gl/',
      '.whl/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  ...layers.map(restrictLayer),
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
  },
);
