/** What bench/run.ts and bench/import-child.ts say to each other. */
export interface ChildArgs {
  database: 'postgres' | 'pglite';
  databaseUrl?: string;
  pgliteDir: string;
  workDir: string;
  file: string;
  deltaFile: string;
  /** As many other persons, for the import in the hub thread. */
  otherFile: string;
  seedFile: string;
  rows: number;
  changedEvery: number;
  apiKey: string;
}

export type ChildMessage =
  | { type: 'serving'; port: number; seedId: string }
  | { type: 'importing' }
  | { type: 'imported' }
  | {
      type: 'done';
      rawFloor: { ms: number; cpuUs: number };
      full: { ms: number; cpuUs: number; serverCpuUs?: number };
      delta: { ms: number; cpuUs: number };
      peakRssMb: number;
      ids: string[];
      barePort: number;
      bodyBytes: number;
    }
  | { type: 'inThreadDone'; ms: number; cpuUs: number };
