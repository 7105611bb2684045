import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// ARCHITECTURE.md's layers, lowest first: a folder under src/ imports only from folders before it.
const LAYERS = ['util', 'curve', 'data', 'models', 'train', 'onnx', 'quant', 'infer', 'eval', 'experiment', 'report', 'web', 'cli'];
// The one allowed upward edge: training validates and publishes with src/eval's metrics and predictors.
const ALLOWED_UP = { train: ['eval'] };

const layerRules = LAYERS.map((layer, i) => ({
  files: [`src/${layer}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: LAYERS.slice(i + 1)
          .filter((above) => !(ALLOWED_UP[layer] ?? []).includes(above))
          .map((above) => ({
            group: [`../${above}/*`, `../../${above}/*`],
            message: `src/${layer} sits below src/${above} in ARCHITECTURE.md's layers: move the shared code down instead.`,
          })),
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'runs/', 'report/', 'web/dist/', 'scratch/', 'site/', 'test-output/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // The launcher is plain JS run by Node: give it Node's globals.
    files: ['bin/**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  ...layerRules,
);
