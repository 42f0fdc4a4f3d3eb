// ESLint finds bugs; Prettier (npm run format) owns formatting. No stylistic rules here.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import { layersPlugin } from './scripts/lint/layers.mjs';

const ORT_NODE_ONLY =
  "onnxruntime-node is opened only by main/engine/exec/ort-node.ts: compile a graph or load() a model through createExecutor('ort-node') (engine/exec).";

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
  {
    // Imports only point down the layers (scripts/lint/layers.mjs; README, "Architecture").
    files: ['common/**/*.ts', 'main/**/*.ts', 'preload/**/*.ts', 'renderer/**/*.{ts,svelte}', 'bench/**/*.ts'],
    plugins: { layers: layersPlugin },
    rules: { 'layers/imports-point-down': 'error' },
  },
  {
    // One ONNX Runtime path in Node: the engine's ort-node executor opens every session (its session
    // options, telemetry off); inference and model checks load models through it. Tests may use
    // plain onnxruntime-node, as an independent check of the files we write.
    files: [
      'common/**/*.ts',
      'main/**/*.ts',
      'preload/**/*.ts',
      'renderer/**/*.{ts,svelte}',
      'bench/**/*.ts',
      'scripts/**/*.{js,mjs,ts}',
    ],
    ignores: ['main/engine/exec/ort-node.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'onnxruntime-node', message: ORT_NODE_ONLY }] }],
      'no-restricted-syntax': [
        'error',
        { selector: "ImportExpression[source.value='onnxruntime-node']", message: ORT_NODE_ONLY },
        {
          selector: "CallExpression[callee.name='require'][arguments.0.value='onnxruntime-node']",
          message: ORT_NODE_ONLY,
        },
      ],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
  },
);
