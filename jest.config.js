/**
 * Three test levels (plus the SDKs' tests against a live stack, project `sdk`) (STYLE: Tests): unit (`*.spec.ts`, no infrastructure),
 * integration (`*.int-spec.ts`, real PostgreSQL/Redis/Kafka) and end-to-end
 * (`apps/gateway-e2e`, every service as its own process, HTTP through the gateway).
 */
const transform = {
  '^.+\\.ts$': [
    '@swc/jest',
    {
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2022',
        keepClassNames: true,
      },
      module: { type: 'commonjs' },
    },
  ],
};
const moduleNameMapper = {
  '^@sigil/contracts$': '<rootDir>/libs/contracts/src/index.ts',
  '^@sigil/platform$': '<rootDir>/libs/platform/src/index.ts',
  '^@sigil/testing$': '<rootDir>/libs/testing/src/index.ts',
  '^@sigil/sdk$': '<rootDir>/sdks/typescript/src/index.ts',
};
const common = { rootDir: __dirname, transform, moduleNameMapper, testEnvironment: 'node', modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/sdks/python/'] };

module.exports = {
  testTimeout: 120000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,tools,sdks}/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs,tools}/**/*.int-spec.ts'],
      testEnvironment: '<rootDir>/libs/testing/src/setup/kafka-namespace.environment.js',
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/apps/gateway-e2e/src/**/*.e2e-spec.ts'],
      testEnvironment: '<rootDir>/libs/testing/src/setup/kafka-namespace.environment.js',
    },
    {
      // The SDKs' own tests, against a live stack like e2e (run once, not per Kafka version).
      ...common,
      displayName: 'sdk',
      testMatch: ['<rootDir>/sdks/typescript/test/**/*.e2e-spec.ts'],
      testEnvironment: '<rootDir>/libs/testing/src/setup/kafka-namespace.environment.js',
    },
  ],
};
