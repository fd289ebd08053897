import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { adapters } from '../../adapters/index.ts';
import { verificationText } from '../audit/verification-text.ts';
import { parseAuditAnchor, verifyAuditChain } from '../audit/verify-chain.ts';
import { hashKey } from '../config/api-keys.ts';
import { type Config, loadConfig } from '../config/env.ts';
import { HubError } from '../errors.ts';
import { parseRejectLimit } from '../ingest/reject-limit.ts';
import { fileSource } from '../ingest/sources.ts';
import { loadMappingCatalog } from '../mapping/catalog.ts';
import { formatIssue } from '../mapping/yaml-file.ts';
import { encodingFromName } from '../parsers/decode.ts';
import { readLocalServer } from '../runtime/local-server.ts';
import type { ImportRun, Reject } from '../schemas/import-run.ts';
import { dataDirHolder } from '../store/data-dir-lock.ts';
import { errorDocsText } from './error-docs.ts';
import { importViaServer, ServerProblem } from './import-via-server.ts';

const usage = `madoguchi-hub <command>

  serve                              HTTP API and schedules
  import --adapter ID [--json] [--encoding E] [--mode full|delta] [--strict] [--max-rejects N|P%] FILE...
                                     import files now (exit 0 succeeded/unchanged, 3 partial, 1 failed)
  validate                           check mappings, code tables, forms and rules
  openapi                            write openapi/openapi.json (and mappings/schema/*.json)
  jobs list | jobs run NAME          schedules and an immediate run
  audit verify [--json] [--anchor SEQ:HASH]
                                     check the audit log's hash chain (exit 1 at the first bad row)
  keys hash [--scrypt]               print the keyHash for HUB_API_KEYS of a key read from stdin
  demo                               import the sample data and serve (prints a demo API key)
  scenario chigasaki [--direct]      the 茅ヶ崎 family's 転入 end to end over HTTP (or the use cases), with the write count

Configuration comes from the environment (PORT, HOST, HUB_DATA_DIR, DATABASE_URL,
HUB_API_KEYS, HUB_CONFIG, LOG_LEVEL); see README.md.`;

class UsageError extends Error {}

// The hub, its server, the demo and the scenario load with the command that needs them: a usage
// error or `--help` answers without loading the whole hub.
const hubModule = () => import('../app.ts');
const serverModule = () => import('../server.ts');

const projectRoot = path.resolve(import.meta.dirname, '..', '..');

/** Runs one command; resolves to the process exit code (0 ok, 1 failed, 2 bad usage, 3 partial import). */
export async function main(argv: string[], out = process.stdout, err = process.stderr): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve':
        await (await serverModule()).startServer(loadConfig());
        return -1;
      case 'import':
        return await importCommand(rest, out, err);
      case 'validate':
        return validateCommand(out, err);
      case 'openapi':
        return await openapiCommand(out);
      case 'jobs':
        return await jobsCommand(rest, out);
      case 'audit':
        return await auditCommand(rest, out, err);
      case 'keys':
        return await keysCommand(rest, out);
      case 'demo':
        return await demoCommand(out);
      case 'scenario':
        return await scenarioCommand(rest, out);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        out.write(`${usage}\n`);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`不明なコマンドです: ${command}`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      err.write(`${e.message}\n\n${usage}\n`);
      return 2;
    }
    if (e instanceof HubError) {
      err.write(`${e.code}: ${e.message}\n`);
      return e.code === 'HUB_ERR_ADAPTER_UNKNOWN' || e.code === 'HUB_ERR_ENCODING_UNSUPPORTED' ? 2 : 1;
    }
    throw e;
  }
}

async function importCommand(
  args: string[],
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<number> {
  let parsed: ReturnType<typeof parseImportArgs>;
  try {
    parsed = parseImportArgs(args);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (!values.adapter) throw new UsageError('--adapter ID を指定してください');
  if (positionals.length === 0) throw new UsageError('取り込むファイルを指定してください');
  const encoding = values.encoding ? encodingFromName(values.encoding) : undefined;
  if (values.encoding && !encoding)
    throw new HubError('HUB_ERR_ENCODING_UNSUPPORTED', { encoding: values.encoding });
  if (values.mode && values.mode !== 'full' && values.mode !== 'delta')
    throw new UsageError('--mode は full か delta です');
  const maxRejects =
    values['max-rejects'] === undefined ? undefined : parseRejectLimit(values['max-rejects']);
  if (values['max-rejects'] !== undefined && !maxRejects)
    throw new UsageError('--max-rejects は行数（10）か割合（5%）で指定してください');
  for (const f of positionals) if (!existsSync(f)) throw new UsageError(`ファイルがありません: ${f}`);
  const config = loadConfig(process.env, {
    logLevel: values.json ? 'silent' : (process.env.LOG_LEVEL as Config['logLevel']) || 'warn',
  });
  // While `serve` holds the embedded data folder, the files are handed to it.
  const holder =
    !config.databaseUrl && config.dataDir !== 'memory://' ? dataDirHolder(config.dataDir) : undefined;
  const server = holder ? readLocalServer(config.dataDir) : undefined;
  const remote = server && server.owner === holder?.owner ? server : undefined;
  const app = remote ? undefined : await (await hubModule()).buildApp(config);
  let exit = 0;
  try {
    app?.hub.adapters.reader(values.adapter);
    for (const file of positionals) {
      let run: ImportRun;
      let rejected: Reject[];
      if (remote) {
        try {
          ({ run, rejects: rejected } = await importViaServer(remote, file, {
            adapter: values.adapter,
            ...(values.encoding ? { encoding: values.encoding } : {}),
            ...(values.mode ? { mode: values.mode } : {}),
            ...(values.strict ? { strict: 'true' } : {}),
            ...(values['max-rejects'] ? { maxRejects: values['max-rejects'] } : {}),
          }));
        } catch (e) {
          if (!(e instanceof ServerProblem)) throw e;
          err.write(`${e.code}: ${e.message}\n`);
          return 1;
        }
      } else {
        run = await app!.hub.importFile(await fileSource(file), {
          adapter: values.adapter,
          clientId: 'cli',
          ...(encoding ? { encoding } : {}),
          ...(values.mode ? { mode: values.mode as 'full' | 'delta' } : {}),
          ...(values.strict ? { strictColumns: true } : {}),
          ...(maxRejects ? { maxRejects } : {}),
        });
        rejected = (await app!.hub.imports.rejects(run.id, 500, 0)).items;
      }
      if (run.status === 'failed') exit = 1;
      else if (run.status === 'partial' && exit === 0) exit = 3;
      const rejects = rejected.map((r) => ({
        line: r.line,
        column: r.column ?? null,
        field: r.field ?? null,
        code: r.code,
        message: r.message,
      }));
      if (values.json) {
        out.write(
          `${JSON.stringify({ id: run.id, adapter: run.adapter, file, sha256: run.sha256, status: run.status, counts: run.counts, warnings: run.warnings, ...(run.error ? { error: run.error } : {}), rejects })}\n`,
        );
      } else {
        const c = run.counts;
        out.write(
          `${file}: ${run.status} (読込 ${c.read}, 追加 ${c.inserted}, 更新 ${c.updated}, 変更なし ${c.unchanged}, 却下 ${c.rejected}, 対象外 ${c.skipped}, 不在 ${c.missing}) ${run.id}\n`,
        );
        if (run.error) err.write(`  ${run.error.code}: ${run.error.message}\n`);
        for (const w of run.warnings) err.write(`  ${w.code}: ${w.message}\n`);
        for (const r of rejects.slice(0, 20))
          err.write(
            `  ${file}:${r.line}${r.column ? `:${r.column}` : ''} ${r.field ?? ''} ${r.code}: ${r.message}\n`,
          );
        if (rejects.length > 20)
          err.write(`  … 他 ${run.counts.rejected - 20} 件（GET /v1/imports/${run.id}/rejects）\n`);
      }
    }
  } finally {
    await app?.close();
  }
  return exit;
}

function parseImportArgs(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: {
      adapter: { type: 'string' },
      json: { type: 'boolean', default: false },
      encoding: { type: 'string' },
      mode: { type: 'string' },
      strict: { type: 'boolean', default: false },
      'max-rejects': { type: 'string' },
    },
  });
}

function validateCommand(out: NodeJS.WritableStream, err: NodeJS.WritableStream): number {
  const config = loadConfig();
  const result = loadMappingCatalog(
    config.mappingsDir,
    adapters.map((a) => a.manifest.id),
  );
  for (const issue of result.issues) err.write(`${formatIssue(issue)}\n`);
  if (result.issues.length > 0) {
    err.write(`${result.issues.length} 件の問題があります\n`);
    return 1;
  }
  out.write(`ok: ${result.files.length} files\n`);
  return 0;
}

async function openapiCommand(out: NodeJS.WritableStream): Promise<number> {
  const config = loadConfig(
    { ...process.env, HUB_DATA_DIR: 'memory://', DATABASE_URL: '' },
    { logLevel: 'silent' },
  );
  const app = await (await hubModule()).buildApp(config);
  const { openApiText, writeMappingSchemas } = await import('./generate.ts');
  try {
    const file = path.join(projectRoot, 'openapi', 'openapi.json');
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, await openApiText(app));
    out.write(`wrote ${path.relative(process.cwd(), file)}\n`);
    for (const f of await writeMappingSchemas(config.mappingsDir))
      out.write(`wrote ${path.relative(process.cwd(), f)}\n`);
    const errors = path.join(projectRoot, 'docs', 'errors.md');
    await mkdir(path.dirname(errors), { recursive: true });
    await writeFile(errors, errorDocsText());
    out.write(`wrote ${path.relative(process.cwd(), errors)}\n`);
  } finally {
    await app.close();
  }
  return 0;
}

async function jobsCommand(args: string[], out: NodeJS.WritableStream): Promise<number> {
  const [sub, name] = args;
  if (sub !== 'list' && !(sub === 'run' && name)) throw new UsageError('jobs list | jobs run NAME');
  const app = await (await hubModule()).buildApp(
    loadConfig(process.env, { logLevel: (process.env.LOG_LEVEL as Config['logLevel']) || 'warn' }),
  );
  try {
    if (sub === 'list') {
      const jobs = app.hub.jobs.list();
      if (jobs.length === 0) out.write('ジョブは設定されていません（HUB_CONFIG の jobs）\n');
      for (const j of jobs)
        out.write(`${j.name}\t${j.kind}\t${j.schedule}${'adapter' in j ? `\t${j.adapter}\t${j.dir}` : ''}\n`);
      return 0;
    }
    if (!app.hub.jobs.list().some((j) => j.name === name))
      throw new UsageError(`ジョブ ${name} はありません`);
    const run = await app.hub.jobs.run(name!, 'cli');
    out.write(`${JSON.stringify(run)}\n`);
    return run.status === 'failed' ? 1 : 0;
  } finally {
    await app.close();
  }
}

async function auditCommand(
  args: string[],
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<number> {
  let parsed: ReturnType<typeof parseAuditArgs>;
  try {
    parsed = parseAuditArgs(args);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (parsed.positionals.length !== 1 || parsed.positionals[0] !== 'verify')
    throw new UsageError('audit verify [--json] [--anchor SEQ:HASH]');
  const anchor = parsed.values.anchor === undefined ? undefined : parseAuditAnchor(parsed.values.anchor);
  if (parsed.values.anchor !== undefined && !anchor)
    throw new UsageError('--anchor は 連番:ハッシュ（SEQ:HASH、SHA-256 16進64桁）です');
  const json = parsed.values.json;
  const app = await (await hubModule()).buildApp(
    loadConfig(process.env, {
      logLevel: json ? 'silent' : (process.env.LOG_LEVEL as Config['logLevel']) || 'warn',
    }),
  );
  try {
    const result = await verifyAuditChain(app.hub.audit, anchor ? { anchor } : {});
    if (json) out.write(`${JSON.stringify(result)}\n`);
    else (result.ok ? out : err).write(verificationText(result));
    return result.ok ? 0 : 1;
  } finally {
    await app.close();
  }
}

function parseAuditArgs(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false }, anchor: { type: 'string' } },
  });
}

async function keysCommand(args: string[], out: NodeJS.WritableStream): Promise<number> {
  const scrypt = args[1] === '--scrypt';
  if (args[0] !== 'hash' || args.length > (scrypt ? 2 : 1)) throw new UsageError('keys hash [--scrypt]');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const key = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (key.length < 16) throw new UsageError('キーは16文字以上にしてください（標準入力から読みます）');
  out.write(`${hashKey(key, scrypt ? 'scrypt' : 'sha256')}\n`);
  return 0;
}

async function demoCommand(out: NodeJS.WritableStream): Promise<number> {
  const env = { ...process.env };
  env.HUB_DATA_DIR ??= path.resolve('data');
  let demoKey: string | undefined;
  if (!env.HUB_API_KEYS) {
    demoKey = `demo-${randomBytes(16).toString('hex')}`;
    env.HUB_API_KEYS = JSON.stringify([{ id: 'demo', key: demoKey, scopes: ['admin'] }]);
  }
  const config: Config = loadConfig(env);
  const app = await (await hubModule()).buildApp(config);
  // Seeding goes through the API (inject), which readies the app: it listens first.
  await (await serverModule()).startServer(config, app);
  const { demoBrokenTarget, seedDemo } = await import('./demo-data.ts');
  const demo = await seedDemo(app, {
    ...(demoKey ? { adminKey: demoKey } : {}),
    brokenDir: path.join(
      config.dataDir === 'memory://' ? path.resolve('.') : config.dataDir,
      'demo-broken-target',
    ),
  });
  const base = `http://${config.host}:${config.port}`;
  const lines = [
    '',
    `madoguchi-hub demo: ${base}  (data: ${config.databaseUrl ? 'PostgreSQL' : config.dataDir})`,
    `  sample import: ${demo.sample.status}, ${demo.sample.counts.read} rows (${demo.sample.id})`,
    `  with rejects:  ${demo.withRejects.status}, ${demo.withRejects.counts.rejected} of ${demo.withRejects.counts.read} rows rejected (${demo.withRejects.duplicateOf ?? demo.withRejects.id})`,
    `  console:       ${base}/console   (運用コンソール; sign in with the demo API key)`,
    `  API docs:      ${base}/docs`,
  ];
  if (demoKey) lines.push(`  demo API key:  ${demoKey}   (scope admin; this run only)`);
  if (demo.brokenPath)
    lines.push(
      `  dead delivery: target ${demoBrokenTarget} is broken ON PURPOSE for the demo (${demo.deadDeliveries} dead):`,
      `                 ${demo.brokenPath} is a file where its folder should be; delete it, then 再送 in the console`,
    );
  lines.push(
    `  try:          curl -H 'Authorization: Bearer ${demoKey ?? '<key>'}' -H 'X-Purpose: demo' '${base}/v1/residents?kana=%E3%81%93%E3%81%86%E3%81%AE'`,
    '',
  );
  out.write(`${lines.join('\n')}\n`);
  return -1;
}

async function scenarioCommand(args: string[], out: NodeJS.WritableStream): Promise<number> {
  if (args[0] !== 'chigasaki') throw new UsageError('scenario chigasaki');
  const key = `scenario-${randomBytes(16).toString('hex')}`;
  const config = loadConfig(
    {
      ...process.env,
      HUB_DATA_DIR: process.env.HUB_DATA_DIR ?? 'memory://',
      HUB_API_KEYS: JSON.stringify([{ id: 'scenario', key, scopes: ['admin'] }]),
    },
    { logLevel: 'warn', port: 0 },
  );
  const app = await (await hubModule()).buildApp(config);
  const { directPort, formatScenario, httpPort, runChigasakiScenario } = await import(
    '../scenario/chigasaki.ts'
  );
  try {
    if (args.includes('--direct')) {
      const client = { id: 'scenario', scopes: new Set(['admin'] as const) };
      const result = await runChigasakiScenario(
        directPort(app.hub, { viewer: { client, purpose: '転入届の受付' }, staffId: 'staff-chigasaki-1' }),
      );
      out.write(`${formatScenario(result)}\n`);
      return 0;
    }
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const result = await runChigasakiScenario(
      httpPort(async (method, url, body, headers = {}) => {
        const isBytes = body instanceof Uint8Array;
        const res = await fetch(`${base}${url}`, {
          method,
          headers: {
            authorization: `Bearer ${key}`,
            ...(body !== undefined && !isBytes ? { 'content-type': 'application/json' } : {}),
            ...headers,
          },
          ...(body !== undefined ? { body: isBytes ? body : JSON.stringify(body) } : {}),
        });
        return { status: res.status, json: await res.json() };
      }),
    );
    out.write(`${formatScenario(result)}\n`);
  } finally {
    await app.close();
  }
  return 0;
}

const isMain =
  process.argv[1] &&
  path.resolve(process.argv[1]).replace(/\.ts$/, '') ===
    path.resolve(import.meta.filename).replace(/\.ts$/, '');
if (isMain || process.env.MADOGUCHI_HUB_CLI === '1') {
  main(process.argv.slice(2)).then(
    (code) => {
      if (code >= 0) process.exit(code);
    },
    (e: unknown) => {
      process.stderr.write(`HUB_ERR_INTERNAL: ${(e as Error).stack ?? String(e)}\n`);
      process.exit(1);
    },
  );
}
