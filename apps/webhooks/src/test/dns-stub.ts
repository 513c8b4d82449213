/**
 * A DNS server on a local UDP port for tests of how webhook targets are
 * resolved: names it knows get their A records, names it is told to ignore
 * get no answer at all (a resolver dropping queries), anything else NXDOMAIN.
 * Only what a stub resolver asks is understood: one question, A or AAAA.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';

const TYPE_A = 1;
const TYPE_AAAA = 28;

export class DnsStub {
  /** Queries received, as `<name> <A|AAAA|type>`. */
  readonly queries: string[] = [];

  private constructor(
    private readonly socket: Socket,
    private readonly records: ReadonlyMap<string, readonly string[]>,
    private readonly silent: (name: string) => boolean,
  ) {
    socket.on('message', (msg, from) => this.answer(msg, from));
  }

  /** `records`: name → IPv4 addresses; `silent`: names never answered. */
  static async start(records: Record<string, readonly string[]>, silent: (name: string) => boolean = () => false): Promise<DnsStub> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return new DnsStub(socket, new Map(Object.entries(records)), silent);
  }

  /** For `setServers`: `127.0.0.1:<port>`. */
  get server(): string {
    return `127.0.0.1:${this.socket.address().port}`;
  }

  private answer(msg: Buffer, from: RemoteInfo): void {
    const labels: string[] = [];
    let at = 12;
    while (at < msg.length && msg[at]! > 0) {
      labels.push(msg.subarray(at + 1, at + 1 + msg[at]!).toString('latin1'));
      at += 1 + msg[at]!;
    }
    const questionEnd = at + 5; // the zero label, QTYPE, QCLASS
    const name = labels.join('.').toLowerCase();
    const type = msg.readUInt16BE(at + 1);
    this.queries.push(`${name} ${type === TYPE_A ? 'A' : type === TYPE_AAAA ? 'AAAA' : type}`);
    if (this.silent(name)) return;
    const known = this.records.get(name);
    const answers = type === TYPE_A ? (known ?? []) : [];
    const header = Buffer.alloc(12);
    msg.copy(header, 0, 0, 2); // id
    header.writeUInt16BE(0x8180 | (known ? 0 : 3), 2); // response, recursion desired and available; NXDOMAIN when unknown
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers.length, 6);
    const records = answers.map((ip) => {
      const rr = Buffer.alloc(16);
      rr.writeUInt16BE(0xc00c, 0); // the question's name
      rr.writeUInt16BE(TYPE_A, 2);
      rr.writeUInt16BE(1, 4); // IN
      rr.writeUInt32BE(60, 6); // TTL
      rr.writeUInt16BE(4, 10);
      ip.split('.').forEach((octet, i) => rr.writeUInt8(Number(octet), 12 + i));
      return rr;
    });
    this.socket.send(Buffer.concat([header, msg.subarray(12, questionEnd), ...records]), from.port, from.address);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }
}
