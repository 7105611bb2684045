import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
);
