// Prints the closing line of a Vitest JSON report: `<label>: N passed, N failed, N skipped`.
// Exits 1 when the report is missing or no test ran, so that an empty pass cannot look green.
import { readFileSync } from 'node:fs';

const [file, label] = process.argv.slice(2);
const r = JSON.parse(readFileSync(file, 'utf8'));
const skipped = r.numPendingTests + r.numTodoTests;
console.log(`${label}: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
if (r.numTotalTests === 0 || r.numPassedTests === 0) process.exit(1);
