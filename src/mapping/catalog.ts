import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { HubError } from '../errors.ts';
import {
  FixedField,
  type FixedLayout,
  FixedLayoutFile,
  FixedRecordType,
  layoutProblems,
} from '../parsers/fixed-width.ts';
import { FieldCategory, FieldType, FormField, FormFile, FormHandoff } from '../prefill/forms.ts';
import { type ProcedureRule, ProcedureRulesFile, ruleReferences } from '../procedures/rules.ts';
import { columnKey } from './column-contract.ts';
import { type CompiledMapping, compileMapping } from './compile.ts';
import { type GaijiTable, loadGaijiTable } from './gaiji.ts';
import { CodeTableFile, FieldSpec, MappingFile, MappingTestFile, Transform } from './schema.ts';
import type { CodeTable } from './transforms.ts';
import { type FileIssue, formatIssue, type LoadedYaml, loadYaml } from './yaml-file.ts';

export interface MappingCatalog {
  /** The mapping for an adapter's entity, or undefined. */
  get(adapter: string, entity: string): CompiledMapping | undefined;
  /** The fixed-width layout of an adapter (`mappings/<adapter>/layout.yaml`), if it has one. */
  layout(adapter: string): FixedLayout | undefined;
  /** Form definitions from `mappings/forms/<id>.yaml`, by id. */
  forms: Map<string, FormFile>;
  /** Every 手続ナビ rule from `mappings/procedures/*.yaml`, in file order. */
  procedureRules: ProcedureRule[];
  /** The 外字 table of a municipality (`mappings/gaiji/<市区町村コード>.csv`), if there is one. */
  gaiji(municipalityCode: string): GaijiTable | undefined;
  list(): { file: string; adapter: string; entity: string }[];
  codeTables: Map<string, CodeTable>;
}

export interface LoadResult {
  catalog?: MappingCatalog;
  issues: FileIssue[];
  /** Every file that was checked. */
  files: string[];
}

function yamlFiles(dir: string, suffix: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(suffix))
    .map((e) => path.join(dir, e.name))
    .sort();
}

/**
 * Loads and checks every mapping, code table and mapping test under `dir` (`mappings/`).
 * Problems come back as issues with file, line and column; the catalog is built only when
 * there are none. `adapterIds` lets it check that each mapping names a known adapter.
 */
export function loadMappingCatalog(dir: string, adapterIds: string[]): LoadResult {
  const issues: FileIssue[] = [];
  const files: string[] = [];
  const rel = (f: string) => path.relative(process.cwd(), f) || f;

  const tables = new Map<string, CodeTable>();
  for (const file of yamlFiles(path.join(dir, 'codes'), '.yaml')) {
    files.push(file);
    const { loaded, issues: found } = loadYaml<CodeTableFile>(rel(file), CodeTableFile);
    issues.push(...found);
    if (!loaded) continue;
    const expected = path.basename(file, '.yaml');
    if (loaded.value.name !== expected) {
      issues.push({
        file: rel(file),
        ...loaded.locate(['name']),
        message: `name must be "${expected}" (the file name)`,
      });
      continue;
    }
    tables.set(loaded.value.name, loaded.value);
  }

  const gaiji = new Map<string, GaijiTable>();
  for (const file of yamlFiles(path.join(dir, 'gaiji'), '.csv')) {
    files.push(file);
    if (!/^\d{6}\.csv$/.test(path.basename(file))) {
      issues.push({
        file: rel(file),
        line: 1,
        column: 1,
        message: 'name a 外字 table after its 市区町村コード: <6 digits>.csv',
      });
      continue;
    }
    const { table, issues: found } = loadGaijiTable(file, rel(file));
    issues.push(...found);
    if (table) gaiji.set(table.municipalityCode, table);
  }

  const procedureRules: ProcedureRule[] = [];
  const ruleIds = new Map<string, string>();
  for (const file of yamlFiles(path.join(dir, 'procedures'), '.yaml')) {
    files.push(file);
    const { loaded, issues: found } = loadYaml<ProcedureRulesFile>(
      rel(file),
      ProcedureRulesFile,
      ruleReferences,
    );
    issues.push(...found);
    if (!loaded) continue;
    loaded.value.rules.forEach((rule, i) => {
      const seen = ruleIds.get(rule.id);
      if (seen)
        issues.push({
          file: rel(file),
          ...loaded.locate(['rules', i, 'id']),
          message: `rule ${rule.id} is also in ${seen}`,
        });
      ruleIds.set(rule.id, rel(file));
      procedureRules.push(rule);
    });
  }

  const forms = new Map<string, FormFile>();
  const formFiles: LoadedYaml<FormFile>[] = [];
  for (const file of yamlFiles(path.join(dir, 'forms'), '.yaml')) {
    files.push(file);
    const { loaded, issues: found } = loadYaml<FormFile>(rel(file), FormFile, [
      FormField,
      FieldCategory,
      FieldType,
      FormHandoff,
    ]);
    issues.push(...found);
    if (!loaded) continue;
    if (loaded.value.id !== path.basename(file, '.yaml')) {
      issues.push({
        file: rel(file),
        ...loaded.locate(['id']),
        message: `id must be "${path.basename(file, '.yaml')}" (the file name)`,
      });
      continue;
    }
    forms.set(loaded.value.id, loaded.value);
    formFiles.push(loaded);
  }
  for (const loaded of formFiles) {
    (loaded.value.procedures ?? []).forEach((id, i) => {
      if (!ruleIds.has(id))
        issues.push({
          file: loaded.file,
          ...loaded.locate(['procedures', i]),
          message: `no procedure rule "${id}"`,
        });
    });
    loaded.value.fields.forEach((f, i) => {
      const contract = fieldContractIssue(f);
      if (contract)
        issues.push({ file: loaded.file, ...loaded.locate(['fields', i, 'type']), message: contract });
      const sources = f.source === undefined ? [] : Array.isArray(f.source) ? f.source : [f.source];
      sources.forEach((src, j) => {
        const m = /^form\.([a-z0-9-]+)\./.exec(src);
        if (m && !forms.has(m[1]!)) {
          issues.push({
            file: loaded.file,
            ...loaded.locate(['fields', i, 'source', ...(Array.isArray(f.source) ? [j] : [])]),
            message: `no form "${m[1]}"`,
          });
        }
      });
    });
  }

  const layouts = new Map<string, FixedLayout>();
  const compiled = new Map<string, { file: string; mapping: CompiledMapping }>();
  const adapterDirs = existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true })
        .filter(
          (e) => e.isDirectory() && !['codes', 'schema', 'forms', 'procedures', 'gaiji'].includes(e.name),
        )
        .map((e) => path.join(dir, e.name))
    : [];
  for (const adapterDir of adapterDirs) {
    const layoutFile = path.join(adapterDir, 'layout.yaml');
    if (existsSync(layoutFile)) {
      files.push(layoutFile);
      const { loaded, issues: found } = loadYaml<FixedLayoutFile>(rel(layoutFile), FixedLayoutFile, [
        FixedField,
        FixedRecordType,
      ]);
      issues.push(...found);
      if (loaded) {
        const problems = layoutProblems(loaded.value);
        for (const p of problems)
          issues.push({ file: rel(layoutFile), ...loaded.locate(p.path), message: p.message });
        if (problems.length === 0)
          layouts.set(path.basename(adapterDir), { ...loaded.value, file: rel(layoutFile) });
      }
    }
    for (const file of yamlFiles(adapterDir, '.mapping.yaml')) {
      files.push(file);
      const { loaded, issues: found } = loadYaml<MappingFile>(rel(file), MappingFile, [FieldSpec, Transform]);
      issues.push(...found);
      if (!loaded) continue;
      const semantic = checkMapping(loaded, tables, adapterIds, path.basename(adapterDir));
      issues.push(...semantic);
      const testFile = file.replace(/\.mapping\.yaml$/, '.mapping.test.yaml');
      if (!existsSync(testFile)) {
        issues.push({
          file: rel(file),
          line: 1,
          column: 1,
          message: `no test beside it: ${path.basename(testFile)}`,
        });
      } else {
        files.push(testFile);
        issues.push(...loadYaml(rel(testFile), MappingTestFile).issues);
      }
      if (semantic.length > 0) continue;
      const key = `${loaded.value.adapter}/${loaded.value.entity}`;
      if (compiled.has(key)) {
        issues.push({
          file: rel(file),
          ...loaded.locate(['entity']),
          message: `a second mapping for ${key}`,
        });
        continue;
      }
      compiled.set(key, { file, mapping: compileMapping(loaded.value, tables) });
    }
  }
  if (issues.length > 0) return { issues, files };
  return {
    issues,
    files,
    catalog: {
      get: (adapter, entity) => compiled.get(`${adapter}/${entity}`)?.mapping,
      layout: (adapter) => layouts.get(adapter),
      procedureRules,
      forms,
      gaiji: (code) => gaiji.get(code),
      list: () =>
        [...compiled.values()].map((c) => ({
          file: c.file,
          adapter: c.mapping.adapter,
          entity: c.mapping.entity,
        })),
      codeTables: tables,
    },
  };
}

function checkMapping(
  loaded: LoadedYaml<MappingFile>,
  tables: Map<string, CodeTable>,
  adapterIds: string[],
  folder: string,
): FileIssue[] {
  const m = loaded.value;
  const out: FileIssue[] = [];
  const at = (p: (string | number)[], message: string) =>
    out.push({ file: loaded.file, ...loaded.locate(p), message });
  if (!adapterIds.includes(m.adapter)) at(['adapter'], `unknown adapter "${m.adapter}"`);
  if (m.adapter !== folder) at(['adapter'], `a mapping of ${m.adapter} belongs in mappings/${m.adapter}/`);
  for (const k of m.key) if (!(k in m.fields)) at(['key'], `key field "${k}" is not mapped`);
  out.push(...contractProblems(loaded));
  for (const [target, spec] of Object.entries(m.fields)) {
    const sources = [spec.from, spec.fromAll, spec.concat, spec.const].filter((x) => x !== undefined).length;
    if (sources !== 1) at(['fields', target], 'give exactly one of from, fromAll, concat, const');
    if (spec.as === 'date' && !spec.from) at(['fields', target], 'a date needs `from`');
    if ((spec.unknownFlag || spec.label || spec.era) && spec.as !== 'date') {
      at(['fields', target], 'unknownFlag, label and era are for `as: date`');
    }
    (spec.transforms ?? []).forEach((t, i) => {
      if (typeof t === 'object' && 'code' in t && !tables.has(t.code)) {
        at(
          ['fields', target, 'transforms', i, 'code'],
          `unknown code table "${t.code}" (mappings/codes/${t.code}.yaml)`,
        );
      }
      if (typeof t === 'object' && 'pattern' in t) {
        try {
          new RegExp(t.pattern, 'u');
        } catch (e) {
          at(['fields', target, 'transforms', i, 'pattern'], `invalid pattern: ${(e as Error).message}`);
        }
      }
    });
  }
  return out;
}

/**
 * The column contract of a mapping must be unambiguous: an alias names a column the mapping
 * reads or keeps, and no two names (columns, aliases) are the same after `columnKey`.
 */
function contractProblems(loaded: LoadedYaml<MappingFile>): FileIssue[] {
  const m = loaded.value;
  const out: FileIssue[] = [];
  const at = (p: (string | number)[], message: string) =>
    out.push({ file: loaded.file, ...loaded.locate(p), message });
  const reads = new Set<string>();
  for (const s of Object.values(m.fields)) {
    for (const n of [s.from, ...(s.fromAll ?? []), ...(s.concat ?? []), s.unknownFlag, s.label, s.era])
      if (n) reads.add(n);
  }
  const owner = new Map<string, string>();
  const claim = (name: string, as: string, p: (string | number)[]) => {
    const k = columnKey(name);
    const prior = owner.get(k);
    if (prior !== undefined && prior !== as)
      at(p, `"${name}" is also "${prior}" (names are compared after NFKC)`);
    else owner.set(k, as);
  };
  for (const n of reads) claim(n, n, ['fields']);
  if (m.when) claim(m.when.field, m.when.field, ['when', 'field']);
  for (const list of ['ignore', 'keep'] as const) {
    (m[list] ?? []).forEach((n, i) => {
      if (reads.has(n)) at([list, i], `"${n}" is read by a field; it cannot be in ${list}`);
      else claim(n, n, [list, i]);
    });
  }
  for (const [name, others] of Object.entries(m.aliases ?? {})) {
    if (!reads.has(name) && !(m.keep ?? []).includes(name))
      at(['aliases', name], `"${name}" is not a column this mapping reads or keeps`);
    others.forEach((o, i) => {
      claim(o, name, ['aliases', name, i]);
    });
  }
  return out;
}

/** Loads the catalog or throws one HubError listing every issue (used at start-up). */
export function requireMappingCatalog(dir: string, adapterIds: string[]): MappingCatalog {
  const result = loadMappingCatalog(dir, adapterIds);
  if (!result.catalog) {
    throw new HubError('HUB_ERR_MAPPING', { message: result.issues.map(formatIssue).join('\n') });
  }
  return result.catalog;
}

/** A field whose kind, type and choices disagree (a choice without options, a typed signature). */
function fieldContractIssue(f: FormField): string | undefined {
  if ((f.kind === 'signature') !== (f.type === 'signature'))
    return `field ${f.key}: kind signature and type signature go together`;
  if ((f.kind === 'choice') !== (f.type === 'choice'))
    return `field ${f.key}: kind choice and type choice go together`;
  if (f.type === 'choice' && !f.choices?.length) return `field ${f.key}: a choice needs choices`;
  if (f.type !== 'choice' && f.choices) return `field ${f.key}: only a choice has choices`;
  const unknownCode = Object.keys(f.codes ?? {}).find((c) => !f.choices?.includes(c));
  if (unknownCode) return `field ${f.key}: code for "${unknownCode}", which is not a choice`;
  return undefined;
}
