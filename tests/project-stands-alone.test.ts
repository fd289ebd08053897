import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { adapters, writers } from '../adapters/index.ts';
import { root } from './helpers/files.ts';

/** A pointer into the workspace the project was written in, which a user's clone does not have. */
const OUTSIDE =
  /(\.\.\/)+shared\/|\/work\/shared|(^|[\s`'"(])shared\/(formats|domain|samples|hooks)\b|(DESIGN|CONTRACT|STYLE)\.md/;

describe('the project stands alone', () => {
  it('no file of the project points into the shared folder it was written beside', () => {
    const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
      cwd: root,
      encoding: 'utf8',
    })
      .split('\n')
      .filter((f) => f && f !== 'package-lock.json' && existsSync(path.join(root, f)));
    const offending: string[] = [];
    for (const f of files) {
      const bytes = readFileSync(path.join(root, f));
      if (bytes.includes(0)) continue;
      bytes
        .toString('utf8')
        .split('\n')
        .forEach((line, i) => {
          if (OUTSIDE.test(line) && !line.includes('const OUTSIDE'))
            offending.push(`${f}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(offending).toEqual([]);
  });

  it('docs/formats describes every format an adapter reads or a target writes', () => {
    const dir = path.join(root, 'docs', 'formats');
    const text = ['README.md', 'write-back.md']
      .map((f) => readFileSync(path.join(dir, f), 'utf8'))
      .join('\n');
    for (const id of [...adapters.map((a) => a.manifest.id), ...writers.map((w) => w.manifest.id)])
      expect(text, id).toContain(`\`${id}\``);
  });
});
