import { JsonLogger } from './json-logger';
import { runWithContext } from './request-context';

function capture(level: 'debug' | 'info' | 'warn' | 'error' = 'info') {
  const lines: string[] = [];
  const logger = new JsonLogger('contacts', level, (line) => lines.push(line));
  const entries = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { logger, lines, entries };
}

describe('JsonLogger', () => {
  it('writes one JSON object per line with time, level, service, context and message', () => {
    const { logger, lines, entries } = capture();
    logger.log('contacts ready', 'Bootstrap');
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('\n');
    const [entry] = entries();
    expect(entry).toEqual({ time: expect.any(String), level: 'info', service: 'contacts', context: 'Bootstrap', msg: 'contacts ready' });
    expect(new Date(entry!['time'] as string).toISOString()).toBe(entry!['time']);
  });

  it('keeps a multi-line message on one line', () => {
    const { logger, lines, entries } = capture();
    logger.warn('first\nsecond');
    expect(lines).toHaveLength(1);
    expect(entries()[0]!['msg']).toBe('first\nsecond');
  });

  it('stamps the request context of the current async path on every line', async () => {
    const { logger, entries } = capture();
    await runWithContext({ request_id: 'req_abc', trace_id: '00-trace-01', tenant_id: 'ten_1' }, async () => {
      await new Promise((r) => setTimeout(r, 1));
      logger.log('inside');
    });
    logger.log('outside');
    const [inside, outside] = entries();
    expect(inside).toMatchObject({ msg: 'inside', request_id: 'req_abc', trace_id: '00-trace-01', tenant_id: 'ten_1' });
    expect(outside).not.toHaveProperty('request_id');
  });

  it("splits a request's traceparent in the context into trace_id and span_id when no span is active", () => {
    const { logger, entries } = capture();
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    runWithContext({ request_id: 'req_abc', trace_id: `00-${traceId}-00f067aa0ba902b7-00` }, () => logger.log('inside'));
    expect(entries()[0]).toMatchObject({ msg: 'inside', request_id: 'req_abc', trace_id: traceId, span_id: '00f067aa0ba902b7' });
  });

  it('merges an object message into the line', () => {
    const { logger, entries } = capture();
    logger.log({ msg: 'gateway ready', url: 'http://127.0.0.1:3000' }, 'Bootstrap');
    expect(entries()[0]).toMatchObject({ msg: 'gateway ready', url: 'http://127.0.0.1:3000', context: 'Bootstrap' });
  });

  it('writes an Error with its message and stack', () => {
    const { logger, entries } = capture();
    const err = new Error('connection refused');
    logger.error(err, 'OutboxRelay');
    expect(entries()[0]).toMatchObject({ level: 'error', msg: 'connection refused', stack: err.stack, context: 'OutboxRelay' });
    expect(entries()[0]!['stack']).toContain('json-logger.spec');
  });

  it('takes the stack Nest passes before the context', () => {
    const { logger, entries } = capture();
    logger.error('handler failed', 'Error: boom\n    at somewhere.js:1:1', 'ExceptionsHandler');
    expect(entries()[0]).toMatchObject({ msg: 'handler failed', stack: 'Error: boom\n    at somewhere.js:1:1', context: 'ExceptionsHandler' });
  });

  it('drops lines below its level', () => {
    const { logger, entries } = capture('warn');
    logger.debug('d');
    logger.verbose('v');
    logger.log('i');
    logger.warn('w');
    logger.error('e');
    expect(entries().map((e) => [e['level'], e['msg']])).toEqual([
      ['warn', 'w'],
      ['error', 'e'],
    ]);
  });
});
