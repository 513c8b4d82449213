/**
 * What a bench scenario module (`scenarios/<name>.scenario.ts`) exports: a
 * `run` that measures one feature through the gateway and returns the rows of
 * its results table.
 */
import type { ApiClient, ServiceName } from '@sigil/testing';

export type BenchRow = Record<string, string | number>;

export interface BenchEnv {
  gatewayUrl: string;
  /** A fresh tenant of its own, all scopes, live mode. */
  api: ApiClient;
  /** `--quick`: a smoke run; use short durations. */
  quick?: boolean;
  /** The bench stack's contacts database, to seed large data sets straight into it. */
  contactsDatabaseUrl?: string;
  /** The bench stack's segments database (its read model of contacts), likewise. */
  segmentsDatabaseUrl?: string;
  /** The bench stack's keys database (audit log, keys), to seed a large audit log straight into it. */
  keysDatabaseUrl?: string;
  /** The bench stack's webhooks database, likewise (old deliveries for the purge benchmark). */
  webhooksDatabaseUrl?: string;
  /** Process ids of the bench stack's services (first replica), e.g. to sample a worker's memory. */
  pids?: Partial<Record<ServiceName, number>>;
  /** Starts one more process of a backend service on the stack's database and settings (scale-out cases); stop it when done. */
  startReplica?: (service: ServiceName) => Promise<{ url: string; stop: () => Promise<void> }>;
}

export interface ScenarioModule {
  run(env: BenchEnv): Promise<BenchRow[]>;
  /** Extra environment for services of the bench stack (one stack serves every scenario; merged in file order). */
  serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
}
