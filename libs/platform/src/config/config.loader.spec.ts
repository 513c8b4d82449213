import { z } from 'zod';
import { ConfigError, databaseEnv, envBool, envInt, envList, httpEnv, kafkaEnv, loadConfig, redisEnv } from './config.loader';

const ServiceSchema = z.object({ ...httpEnv(3100), ...kafkaEnv, ...databaseEnv, ...redisEnv });
const DATABASE_URL = 'postgres://sigil:sigil@127.0.0.1:5432/contacts';

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies the defaults when only the required variables are set', () => {
    const config = loadConfig(ServiceSchema, { DATABASE_URL });
    expect(config).toEqual({
      HOST: '127.0.0.1',
      PORT: 3100,
      LOG_LEVEL: 'info',
      SHUTDOWN_GRACE_MS: 10000,
      KAFKA_BROKERS: ['127.0.0.1:9092'],
      KAFKA_TOPIC_PARTITIONS: 6,
      KAFKA_REQUEST_TIMEOUT_MS: 5000,
      DATABASE_URL,
      DATABASE_POOL_SIZE: 10,
      MIGRATIONS_RUN_ON_START: true,
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_CLUSTER_NODES: '',
      RPC_MAX_IN_FLIGHT: 64,
      RPC_PRODUCE_LINGER_MS: 0,
    });
  });

  it('parses integers, booleans and lists from their string form', () => {
    const config = loadConfig(ServiceSchema, {
      DATABASE_URL,
      PORT: '8080',
      DATABASE_POOL_SIZE: '25',
      MIGRATIONS_RUN_ON_START: '0',
      KAFKA_BROKERS: ' kafka-1:9092, kafka-2:9093 ,,',
    });
    expect(config.PORT).toBe(8080);
    expect(config.DATABASE_POOL_SIZE).toBe(25);
    expect(config.MIGRATIONS_RUN_ON_START).toBe(false);
    expect(config.KAFKA_BROKERS).toEqual(['kafka-1:9092', 'kafka-2:9093']);
  });

  it('stops on a missing required variable, naming it', () => {
    expect(() => loadConfig(ServiceSchema, {})).toThrow(ConfigError);
    const problems = problemsOf(() => loadConfig(ServiceSchema, {}));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^DATABASE_URL is not set/);
  });

  it('names every bad variable with its value and the reason', () => {
    const problems = problemsOf(() => loadConfig(ServiceSchema, { DATABASE_URL: 'mysql://x/y', PORT: 'eighty', KAFKA_BROKERS: 'no-port', LOG_LEVEL: 'loud' }));
    expect(problems).toHaveLength(4);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^DATABASE_URL has invalid value "mysql:\/\/x\/y": expected a postgres:\/\/ URL/),
        expect.stringMatching(/^PORT has invalid value "eighty"/),
        expect.stringMatching(/^KAFKA_BROKERS\.0 .*expected host:port/),
        expect.stringMatching(/^LOG_LEVEL has invalid value "loud"/),
      ]),
    );
  });

  it('puts every problem in the error message, one per line', () => {
    expect(() => loadConfig(ServiceSchema, { DATABASE_URL, PORT: '70000' })).toThrow(/Invalid configuration:\n {2}PORT has invalid value "70000"/);
  });

  it('rejects out-of-range integers and booleans it does not understand', () => {
    expect(problemsOf(() => loadConfig(ServiceSchema, { DATABASE_URL, KAFKA_TOPIC_PARTITIONS: '0' }))[0]).toMatch(/^KAFKA_TOPIC_PARTITIONS/);
    expect(problemsOf(() => loadConfig(ServiceSchema, { DATABASE_URL, DATABASE_POOL_SIZE: '2.5' }))[0]).toMatch(/^DATABASE_POOL_SIZE/);
    expect(problemsOf(() => loadConfig(ServiceSchema, { DATABASE_URL, MIGRATIONS_RUN_ON_START: 'yes' }))[0]).toMatch(/^MIGRATIONS_RUN_ON_START has invalid value "yes"/);
  });

  it('never prints the value of a secret variable', () => {
    const schema = z.object({
      JWT_SECRET: z.string().min(32),
      API_KEY_PEPPER: z.string().min(32),
      ADMIN_PASSWORD: z.string().min(12),
      WEBHOOK_TOKEN: z.string().min(12),
    });
    const env = { JWT_SECRET: 'short-secret', API_KEY_PEPPER: 'pepper-1', ADMIN_PASSWORD: 'hunter2', WEBHOOK_TOKEN: 'tok' };
    let message = '';
    try {
      loadConfig(schema, env);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('JWT_SECRET has invalid value "***"');
    expect(message).toContain('API_KEY_PEPPER has invalid value "***"');
    expect(message).toContain('ADMIN_PASSWORD has invalid value "***"');
    expect(message).toContain('WEBHOOK_TOKEN has invalid value "***"');
    for (const value of Object.values(env)) expect(message).not.toContain(value);
  });

  it('never prints the password inside a connection URL', () => {
    const message = problemsOf(() => loadConfig(ServiceSchema, { DATABASE_URL: 'mysql://admin:s3cr3t-pw@db:3306/contacts' })).join('\n');
    expect(message).toContain('DATABASE_URL has invalid value "mysql://admin:***@db:3306/contacts"');
    expect(message).not.toContain('s3cr3t-pw');
    const redis = problemsOf(() => loadConfig(ServiceSchema, { DATABASE_URL, REDIS_URL: 'valkey://:only-a-pw@cache:6380' })).join('\n');
    expect(redis).toContain('REDIS_URL has invalid value "valkey://:***@cache:6380"');
  });
});

describe('env helpers', () => {
  it('envInt coerces, defaults and bounds', () => {
    const schema = envInt(7, 1, 10);
    expect(schema.parse(undefined)).toBe(7);
    expect(schema.parse('3')).toBe(3);
    expect(schema.safeParse('11').success).toBe(false);
    expect(schema.safeParse('abc').success).toBe(false);
  });

  it('envBool accepts true/false/1/0 only', () => {
    const schema = envBool(false);
    expect(schema.parse(undefined)).toBe(false);
    expect(envBool(true).parse(undefined)).toBe(true);
    expect(schema.parse('true')).toBe(true);
    expect(schema.parse('1')).toBe(true);
    expect(schema.parse('false')).toBe(false);
    expect(schema.parse('0')).toBe(false);
    expect(schema.safeParse('TRUE').success).toBe(false);
  });

  it('envList splits on commas, trims and drops empty entries', () => {
    const schema = envList('a,b');
    expect(schema.parse(undefined)).toEqual(['a', 'b']);
    expect(schema.parse(' x , ,y,')).toEqual(['x', 'y']);
    expect(schema.parse('')).toEqual([]);
  });
});
