// @ts-check
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'coverage/**', '.bench-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', Response: 'readonly', Request: 'readonly', Headers: 'readonly', fetch: 'readonly', performance: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', queueMicrotask: 'readonly', structuredClone: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: "AssignmentExpression[left.object.name='globalThis']", message: 'An embedded library never touches its host globals.' },
        { selector: "MemberExpression[object.property.name='prototype'][parent.type='AssignmentExpression']", message: 'Never patch prototypes.' },
      ],
    },
  },
  {
    // Adapters translate only: they reach core through its public entry points.
    files: ['packages/express/**', 'packages/koa/**', 'packages/fastify/**', 'packages/hono/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@sluice/core/*', '!@sluice/core/node'], message: 'Adapters import @sluice/core or @sluice/core/node only.' }, { group: ['../../core/*', '../core/*'], message: 'Adapters import core through its package name.' }] },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
)
