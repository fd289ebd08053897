// The entry of the import's worker threads (piscina): the hub runs its TypeScript through tsx,
// so each thread registers it before loading the task.
import { register } from 'tsx/esm/api';

register();
const task = await import('./staging-task.ts');
export default task.default;
