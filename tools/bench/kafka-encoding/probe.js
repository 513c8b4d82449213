/**
 * CPU of kafkajs' producing and fetching path per 1 000 outbox-like records, in
 * one process (issue #16: the outbox relay's encoding was 16 % of the contacts
 * process during an import). Partitions 500 records of ~650 bytes (a
 * `contact.created` envelope) over 6 partitions with the default
 * partitioner, encodes and frames produce requests v7, then decodes one
 * 500-record batch as a consumer's fetch does. Run it twice to compare kafkajs
 * as it is with `libs/platform/src/kafka/kafkajs-lean-encoding.fix.ts`:
 *
 *   npm run build
 *   KAFKAJS_LEAN_ENCODING=0 node tools/bench/kafka-encoding/probe.js [rounds]
 *   node tools/bench/kafka-encoding/probe.js [rounds]
 *
 * A measuring aid only; prints one JSON line (CPU from process.cpuUsage, so
 * it holds on a loaded machine better than wall time does).
 */
const path = require('path');
const wt = path.resolve(__dirname, '../../..');
const rounds = Number(process.argv[2] || 300);
// First, as in the services: the fix replaces kafkajs modules before kafkajs loads (unless KAFKAJS_LEAN_ENCODING=0).
const fix = require(path.join(wt, 'dist/libs/platform/src/kafka/kafkajs-lean-encoding.fix.js'));
const req = (m) => require(path.join(wt, 'node_modules', m));
const { Partitioners } = req('kafkajs');
const produce = req('kafkajs/src/protocol/requests/produce/v7/request');
const frame = req('kafkajs/src/protocol/request');
const partitioner = Partitioners.DefaultPartitioner();
const partitionMetadata = Array.from({ length: 6 }, (_, i) => ({ partitionId: i, leader: 1 }));
const envelope = (i) =>
  JSON.stringify({
    id: `evt_${String(i).padStart(26, '0')}`,
    type: 'contact.created',
    tenant_id: 'ten_01JEXAMPLE0000000000000000',
    mode: 'live',
    occurred_at: new Date().toISOString(),
    version: 1,
    data: {
      contact: {
        id: `con_${String(i).padStart(26, '0')}`,
        external_id: null,
        email: `person${i}@example.com`,
        first_name: 'Ada',
        last_name: 'Lovelace',
        phone: null,
        tags: ['imported', 'vip'],
        custom_fields: { plan: 'pro', ltv: 123.45 },
        subscription_status: 'subscribed',
        suppressed: false,
        version: 1,
        created_at: new Date().toISOString(),
        updated_at: new Date().toISOString(),
      },
    },
  }).replace(/":/g, '": ');
// Three headers, as an outbox event carries (trace, request id, event type).
const headers = {
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  'x-request-id': 'import:imp_01JEXAMPLE00000000000000',
  'x-event-type': 'contact.created',
};
const batch = Array.from({ length: 500 }, (_, i) => ({ key: `con_${String(i).padStart(26, '0')}`, value: envelope(i), headers }));
async function once(n) {
  const byPartition = new Map();
  for (const m of batch) {
    const p = partitioner({ topic: 't', partitionMetadata, message: m });
    if (!byPartition.has(p)) byPartition.set(p, []);
    byPartition.get(p).push(m);
  }
  const topicData = [{ topic: 'sigil.contacts.events', partitions: [...byPartition].map(([partition, messages]) => ({ partition, messages, firstSequence: 0 })) }];
  const framed = await frame({ correlationId: n, clientId: 'sigil-contacts-outbox', request: produce({ acks: -1, timeout: 30000, compression: 0, topicData }) });
  return framed.buffer.length;
}
(async () => {
  for (let i = 0; i < 50; i++) await once(i); // warm-up
  const t0 = process.cpuUsage();
  const w0 = process.hrtime.bigint();
  let bytes = 0;
  let extPeak = 0;
  for (let i = 0; i < rounds; i++) {
    bytes += await once(i);
    if (i % 20 === 0) extPeak = Math.max(extPeak, process.memoryUsage().external);
  }
  const cpu = process.cpuUsage(t0);
  const recs = rounds * batch.length;
  const { RecordBatch } = req('kafkajs/src/protocol/recordBatch/v0');
  const Record = req('kafkajs/src/protocol/recordBatch/record/v0');
  const Decoder = req('kafkajs/src/protocol/decoder');
  const decodeBatch = req('kafkajs/src/protocol/recordBatch/v0/decoder');
  const encodedBatch = (
    await RecordBatch({
      records: batch.map((m, i) => Record({ ...m, offsetDelta: i })),
      firstTimestamp: Date.now(),
      maxTimestamp: Date.now(),
      lastOffsetDelta: batch.length - 1,
    })
  ).buffer;
  for (let i = 0; i < 50; i++) await decodeBatch(new Decoder(encodedBatch));
  const d0 = process.cpuUsage();
  for (let i = 0; i < rounds; i++) await decodeBatch(new Decoder(encodedBatch));
  const dcpu = process.cpuUsage(d0);
  console.log(
    JSON.stringify({
      lean: fix.kafkajsLeanEncodingInEffect(),
      records: recs,
      bytesPerRecord: Math.round(bytes / recs),
      encodeCpuMsPer1000: +((cpu.user + cpu.system) / 1000 / (recs / 1000)).toFixed(2),
      decodeCpuMsPer1000: +((dcpu.user + dcpu.system) / 1000 / (recs / 1000)).toFixed(2),
      wallMs: Number(process.hrtime.bigint() - w0) / 1e6,
      externalPeakMB: +(extPeak / 1048576).toFixed(1),
      load: require('os').loadavg()[0],
    }),
  );
})();
