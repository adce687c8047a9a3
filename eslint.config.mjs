// ESLint flat config: typescript-eslint's type-aware recommended rules over all services and tests.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['services/common/src/generated/**', '**/dist/**', '**/node_modules/**', '**/*.js', '**/*.mjs', '**/*.cjs', 'charts/**'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }] },
      ],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'read process.env only in services/cli/src/config' }],
    },
  },
  {
    files: ['services/cli/src/config/**/*.ts', '**/*.test.ts', 'test/**/*.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
);
