import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { createStore } from '../../src/store/db.ts';
import { memoryTemplate } from '../../src/store/memory-template.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A migrated in-memory PGlite data folder (tar) that every test file's databases start from. */
    pgliteTemplate: string;
  }
}

/** Migrates one in-memory PGlite for the whole run (~3 s) instead of once per test file. */
export default async function setup(project: TestProject) {
  const store = await createStore({ dataDir: 'memory://' });
  await store.migrate();
  await store.close();
  const folder = memoryTemplate();
  if (!folder) throw new Error('the migrated in-memory database was not kept as a template');
  const file = path.join(tmpdir(), `madoguchi-hub-pglite-template-${process.pid}.tar`);
  writeFileSync(file, Buffer.from(await folder.arrayBuffer()));
  project.provide('pgliteTemplate', file);
  return () => rmSync(file, { force: true });
}
