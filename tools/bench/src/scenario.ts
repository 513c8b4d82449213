/**
 * What a bench scenario module (`scenarios/<name>.scenario.ts`) exports: a
 * `run` that measures one feature through the gateway and returns the rows of
 * its results table.
 */
import type { ApiClient } from '@sigil/testing';

export type BenchRow = Record<string, string | number>;

export interface BenchEnv {
  gatewayUrl: string;
  /** A fresh tenant of its own, all scopes, live mode. */
  api: ApiClient;
  /** `--quick`: a smoke run; use short durations. */
  quick?: boolean;
}

export interface ScenarioModule {
  run(env: BenchEnv): Promise<BenchRow[]>;
}
