// A hub process for crash tests: builds the app from the environment, does one thing, and is
// killed by the test at the HUB_TEST_PAUSE_AT point (src/runtime/test-pause.ts).
import { readFileSync } from 'node:fs';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config/env.ts';
import { pauseForTest } from '../../src/runtime/test-pause.ts';
import { auth, keys } from './app.ts';

const [action, ...args] = process.argv.slice(2);
const app = await buildApp(loadConfig(process.env));
switch (action) {
  case 'hold':
    await pauseForTest('hold');
    break;
  case 'import':
    await app.inject({
      method: 'POST',
      url: '/v1/imports?adapter=juki-standard-csv',
      headers: auth(keys.importer, { 'content-type': 'application/octet-stream', 'x-file-name': 'a.csv' }),
      payload: readFileSync(args[0]!),
    });
    break;
  case 'submit':
    await app.inject({
      method: 'POST',
      url: `/v1/visits/${args[0]}/submissions`,
      headers: auth(keys.admin, { 'idempotency-key': args[1]! }),
      payload: JSON.parse(args[2]!),
    });
    break;
  case 'deliver':
    await app.hub.dispatcher.runOnce();
    break;
  case 'job':
    await app.hub.jobs.run(args[0]!, 'cli');
    break;
  default:
    throw new Error(`unknown action ${action}`);
}
await app.close();
