import type { Person } from '../schemas/person.ts';
import { hasPathParts, type PersonRow } from '../store/types.ts';
import { type PersonCut, personView } from './person-view.ts';
import type { CachedView } from './view-cache.ts';

/**
 * A person's answer as bytes, the same JSON as the response schema makes of `personView`, built
 * faster: the record goes through the schema's serializer, the per-field provenance (four fifths
 * of the body, the same for every person of a run but the line) is written from a template kept
 * per column map and run, and put in place of the empty `"provenance":{}` the serializer wrote.
 * That key can only be the person's own: inside a JSON string every `"` is escaped, and no
 * other object of `Person` has a `provenance` member that is an object.
 */
export function personBody(
  row: PersonRow,
  cut: PersonCut,
  serialize: (person: Person) => string,
): CachedView {
  const { person, fields, withheld } = personView(row, cut, { provenance: false });
  const json = serialize(person);
  const at = json.indexOf(EMPTY_PROVENANCE);
  if (at < 0) throw new Error('the Person serializer wrote no provenance member');
  const provenance = provenanceJson(row, withheld);
  return {
    body: Buffer.from(
      `${json.slice(0, at)}"provenance":${provenance}${json.slice(at + EMPTY_PROVENANCE.length)}`,
    ),
    fields,
  };
}

const EMPTY_PROVENANCE = '"provenance":{}';

interface TemplateEntry {
  /** The field path split at dots, to check the record has it. */
  parts: string[];
  /** `"path":{"adapter":…,"column":…,"line":` */
  head: string;
}

/** Templates per `provenance_map` and run: both are immutable once written. */
const templates = new Map<string, TemplateEntry[]>();
const TEMPLATES_KEPT = 256;

function templateOf(row: PersonRow): TemplateEntry[] {
  const key = `${row.provenance_map}\u0000${row.last_import_id}`;
  let template = templates.get(key);
  if (template) return template;
  const { source, columns } = row.provenance;
  const { line: _line, ...rest } = source;
  const sourceJson = Object.entries(rest)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`)
    .join(',');
  template = Object.entries(columns).map(([path, column]) => ({
    parts: path.split('.'),
    head: `${JSON.stringify(path)}:{${sourceJson},"column":${JSON.stringify(column)},"line":`,
  }));
  if (templates.size >= TEMPLATES_KEPT) templates.clear();
  templates.set(key, template);
  return template;
}

/** The per-field provenance of the fields the record has and the cut shows, as JSON. */
function provenanceJson(row: PersonRow, withheld: readonly string[]): string {
  const line = String(row.provenance.source.line);
  const out: string[] = [];
  for (const entry of templateOf(row)) {
    if (withheld.length > 0 && withheld.includes(entry.parts[0]!)) continue;
    if (hasPathParts(row.record, entry.parts)) out.push(`${entry.head}${line}}`);
  }
  return `{${out.join(',')}}`;
}
