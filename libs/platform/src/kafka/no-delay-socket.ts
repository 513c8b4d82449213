/**
 * kafkajs' broker sockets without Nagle's algorithm (TCP_NODELAY), as the
 * Java client and the broker itself set theirs (librdkafka made it its
 * default in 2025 for the same reason). kafkajs 2.2.4's own factory
 * (network/socketFactory.js) opens them with Node's default, Nagle on: a
 * small request written while an earlier one on the same connection is not
 * yet acknowledged by the broker's TCP waits in the kernel for that
 * acknowledgement — the broker's response, or its delayed ACK (up to 40 ms
 * on Linux) when the earlier request is a fetch parked in the broker's
 * purgatory. Every Sigil request is small (a produce of one request or
 * reply, a fetch, an offset commit, a heartbeat) and several share a
 * connection (a consumer's fetch, commits and heartbeats; produces in
 * flight under load), so the wait fell on the request path. Batching is
 * done above the socket already (produce-batcher.ts), which is what Nagle
 * would buy.
 *
 * Otherwise kafkajs' factory as it is: TLS when `ssl` is set (with the SNI
 * server name for a host name), keep-alive after 60 s.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { ISocketFactory } from 'kafkajs';

const KEEP_ALIVE_DELAY_MS = 60000;

export const noDelaySocketFactory: ISocketFactory = ({ host, port, ssl, onConnect }) => {
  const socket = ssl ? tls.connect({ host, port, ...(net.isIP(host) ? {} : { servername: host }), ...ssl }, onConnect) : net.connect({ host, port }, onConnect);
  socket.setKeepAlive(true, KEEP_ALIVE_DELAY_MS);
  socket.setNoDelay(true);
  return socket;
};
