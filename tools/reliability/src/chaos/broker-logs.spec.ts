/**
 * Keeping the Kafka nodes' logs beside a chaos report: where each node's logs
 * are (node 1 in <infra>/kafka/logs, node N in <infra>/kafka/node-N/logs),
 * which files, and only their last bytes.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyBrokerLogs, copyTail } from './broker-logs';

describe('copyBrokerLogs', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'broker-logs-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("copies each node's server log, controller log and JVM output, nothing else", () => {
    const infra = join(dir, 'infra');
    mkdirSync(join(infra, 'kafka', 'logs'), { recursive: true });
    mkdirSync(join(infra, 'kafka', 'node-3', 'logs'), { recursive: true });
    writeFileSync(join(infra, 'kafka', 'logs', 'server.log'), 'node 1\n');
    writeFileSync(join(infra, 'kafka', 'logs', 'kafka.out'), 'gc\n');
    writeFileSync(join(infra, 'kafka', 'logs', 'server.log.1'), 'rolled\n');
    writeFileSync(join(infra, 'kafka', 'node-3', 'logs', 'controller.log'), 'node 3\n');
    const dest = join(dir, 'report.broker-logs');
    const copied = copyBrokerLogs(infra, 3, dest);
    expect(copied.map((c) => c.file.slice(dest.length + 1)).sort()).toEqual(['node-1/kafka.out', 'node-1/server.log', 'node-3/controller.log']);
    expect(readFileSync(join(dest, 'node-3', 'controller.log'), 'utf8')).toBe('node 3\n');
    expect(existsSync(join(dest, 'node-2'))).toBe(false);
  });

  it('keeps only the last bytes of a long log, from a line start', () => {
    const source = join(dir, 'server.log');
    writeFileSync(source, 'first line\nsecond line\nthird\n');
    expect(copyTail(source, join(dir, 'tail.log'), 14)).toEqual({ file: join(dir, 'tail.log'), bytes: 6, truncated: true });
    expect(readFileSync(join(dir, 'tail.log'), 'utf8')).toBe('third\n');
    expect(copyTail(source, join(dir, 'whole.log'), 1000)).toMatchObject({ bytes: 29, truncated: false });
  });
});
