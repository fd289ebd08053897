import type { FastifyRequest } from 'fastify';
import { HubError } from '../errors.ts';
import { type Client, hasScope } from '../plugins/auth.ts';
import type { Enrolment } from '../schemas/enrolment.ts';
import type { Household, Person, PersonRecord } from '../schemas/person.ts';
import type { TransferCertificate } from '../schemas/transfer-certificate.ts';
import type { DisclosureRepository, PersonStanding } from '../store/disclosure-repo.ts';
import type { PersonRow } from '../store/types.ts';
import { personBody } from './person-body.ts';
import { cutRecord, type PersonCut, personView } from './person-view.ts';
import { type CachedView, ViewCache } from './view-cache.ts';

/**
 * Who asks, and why: the client, the purpose or visit it named, and — for an `admin` client
 * only — the reason it gave in `X-Restricted-Access`.
 */
export interface Viewer {
  client: Client;
  visitId?: string;
  purpose?: string;
  restrictedReason?: string;
}

/**
 * The viewer of a request that passed the auth plugin. Privilege is per request: a visit opened
 * with a reason records it, and each later read of that visit must give one again.
 */
export function viewerOf(request: FastifyRequest): Viewer {
  const why = request.why ?? {};
  const header = request.headers['x-restricted-access'];
  const given =
    typeof header === 'string' && request.client?.scopes.has('admin') ? decodeText(header) : undefined;
  const reason = why.restrictedReason ?? given;
  return {
    client: request.client!,
    ...(why.visitId ? { visitId: why.visitId } : {}),
    ...(why.purpose ? { purpose: why.purpose } : {}),
    ...(reason ? { restrictedReason: reason } : {}),
  };
}

/**
 * True when the viewer may see restricted persons (支援措置 of any kind, 他業務参照不可) and what
 * they share with others: an `admin` client that gave a non-blank reason. Everyone else never
 * learns of them.
 */
export function privileged(viewer: Viewer): boolean {
  return viewer.client.scopes.has('admin') && !!viewer.restrictedReason?.trim();
}

/** The one answer for a person, household, certificate or record the viewer may not see. */
export const notFound = (what: string) => new HubError('HUB_ERR_NOT_FOUND', { what });

/** Enrolment details that name another person or the household. */
const LINKING_DETAILS = ['householdId', 'childAtenaNos', 'guardianAtenaNo'];

/**
 * The disclosure policy: every answer that carries personal data passes through here, and
 * nothing else decides what a client sees of a person. For a viewer without privilege:
 * - a restricted person appears nowhere — not in searches, households, visits, forms,
 *   procedures, certificates, enrolments, rejects, submissions or the audit trail — and is
 *   answered as not found, by id or otherwise;
 * - whoever shares a household or an address with a restricted person is shown without
 *   address, 本籍 and household (SHIELDED_FIELDS), so that no co-resident leads to them; their
 *   household is answered as not found;
 * - a certificate that leads to a restricted person (by person or address) is not found;
 * - unmapped source columns (`extras`) are `admin` only: the hub cannot know what they hold;
 * - with only `X-Visit-Id` as purpose, only that visit's persons are answered.
 * 個人番号 needs `mynumber:read` in every case.
 */
export function createDisclosure(repo: DisclosureRepository, options: { viewCacheBytes?: number } = {}) {
  // 64 MiB: about five thousand persons' answers of a 122-column import (~12 KB each).
  const views = new ViewCache(options.viewCacheBytes ?? 64 * 1024 * 1024);

  async function visitScope(viewer: Viewer): Promise<Set<string> | undefined> {
    if (!viewer.visitId || viewer.purpose) return undefined;
    return repo.visitPersonIds(viewer.visitId, viewer.client.id);
  }

  function cutFor(viewer: Viewer, shielded: boolean): PersonCut {
    const full = privileged(viewer);
    return {
      myNumber: hasScope(viewer.client, 'mynumber:read'),
      shielded: shielded && !full,
      extras: viewer.client.scopes.has('admin'),
    };
  }

  /**
   * A person's answer built from their row (read with their standing) and kept for that row
   * version and cut; undefined when the viewer may not see them.
   */
  function buildView(
    viewer: Viewer,
    row: (PersonRow & PersonStanding) | undefined,
    serialize: (person: Person) => string,
  ): (CachedView & { id: string }) | undefined {
    if (!row || (!privileged(viewer) && row.restricted)) return undefined;
    const cut = cutFor(viewer, row.shielded);
    const view = personBody(row, cut, serialize);
    views.set(row.id, row.version, cutKeyOf(cut), view);
    return { id: row.id, ...view };
  }

  /** The rows the viewer may see, each with its cut, in the given order. */
  async function screen(viewer: Viewer, rows: readonly PersonRow[]) {
    const full = privileged(viewer);
    const scope = await visitScope(viewer);
    const visible = rows.filter((r) => (full || !r.restricted) && (!scope || scope.has(r.id)));
    const shielded = full ? new Set<string>() : await repo.shieldedAmong(visible.map((r) => r.id));
    return visible.map((row) => ({ row, cut: cutFor(viewer, shielded.has(row.id)) }));
  }

  return {
    /** Search options that keep restricted persons (and, by household, their co-residents) out of the count. */
    personSearch(viewer: Viewer): { excludeRestricted: boolean; excludeShielded: boolean } {
      const full = privileged(viewer);
      return { excludeRestricted: !full, excludeShielded: !full };
    },

    /**
     * A visit opened with a restricted-access reason serves restricted persons: only a privileged
     * viewer reads it again; to anyone else it is not found.
     */
    visit<V extends { record: { restrictedReason?: string } }>(viewer: Viewer, visit: V): V {
      if (visit.record.restrictedReason && !privileged(viewer)) throw notFound('来庁記録');
      return visit;
    },

    /** Persons as the viewer may see them; the hidden are left out. */
    async persons(
      viewer: Viewer,
      rows: readonly PersonRow[],
    ): Promise<{ person: Person; fields: string[] }[]> {
      return (await screen(viewer, rows)).map(({ row, cut }) => personView(row, cut));
    },

    /** One person, or not found when the viewer may not see them. */
    async person(viewer: Viewer, row: PersonRow | undefined): Promise<{ person: Person; fields: string[] }> {
      const [seen] = row ? await screen(viewer, [row]) : [];
      if (!seen) throw notFound('住民');
      return personView(seen.row, seen.cut);
    },

    /**
     * One person by id as the viewer may see them, serialised: the same decisions as
     * `person()`, in one statement (row, shielding and row version together), and the body
     * built once per row version and cut (see ViewCache). Not found when the viewer may not see
     * them.
     */
    async personById(
      viewer: Viewer,
      id: string,
      serialize: (person: Person) => string,
    ): Promise<CachedView & { id: string }> {
      const full = privileged(viewer);
      const scope = await visitScope(viewer);
      const known = views.version(id);
      const standing = known ? await repo.personStanding(id, !full) : undefined;
      const row = standing && standing.version === known ? undefined : await repo.personForRead(id, !full);
      const seen = row ?? standing;
      if (!seen || (!full && seen.restricted) || (scope && !scope.has(seen.id))) {
        if (!seen) views.drop(id);
        throw notFound('住民');
      }
      const cut = cutFor(viewer, seen.shielded);
      const cutKey = cutKeyOf(cut);
      const cached = views.get(seen.id, seen.version, cutKey);
      if (cached) return { id: seen.id, ...cached };
      const built = buildView(viewer, row ?? (await repo.personForRead(id, !full)), serialize);
      if (!built) throw notFound('住民');
      return built;
    },

    /**
     * Persons found by a search, as the viewer may see them, serialised: the hidden left out
     * (the same decisions as `persons()`, from the standing the search computed), each body
     * built once per row version and cut (see ViewCache). Only the rows of persons whose answer
     * is not kept are read, in one statement, and judged again by their own standing.
     */
    async personsSerialized(
      viewer: Viewer,
      found: readonly PersonStanding[],
      serialize: (person: Person) => string,
    ): Promise<(CachedView & { id: string })[]> {
      const full = privileged(viewer);
      const scope = await visitScope(viewer);
      const answers = await Promise.all(
        found
          .filter((s) => (full || !s.restricted) && (!scope || scope.has(s.id)))
          .map(async (standing) => {
            const cached = views.get(
              standing.id,
              standing.version,
              cutKeyOf(cutFor(viewer, standing.shielded)),
            );
            if (cached) return { id: standing.id, ...cached };
            return buildView(viewer, await repo.personForRead(standing.id, !full), serialize);
          }),
      );
      return answers.filter((a) => a !== undefined);
    },

    /**
     * The records of a visit's register persons as forms and rules may use them: hidden persons
     * left out, shielded ones without address, 本籍 and household (forms then ask for them).
     */
    async visitRecords(
      viewer: Viewer,
      rows: readonly PersonRow[],
    ): Promise<{ row: PersonRow; record: PersonRecord }[]> {
      // 続柄 stays: 手続ナビ needs it, and it says nothing of where anyone lives.
      return (await screen({ ...viewer, purpose: viewer.purpose ?? 'visit' }, rows)).map(({ row, cut }) => ({
        row,
        record: {
          ...cutRecord(row.record, { ...cut, myNumber: false, extras: false }).record,
          relationship: row.record.relationship,
        },
      }));
    },

    /** A household for the viewer: not found when it hides someone, or holds none of the visit's persons. */
    async household(
      viewer: Viewer,
      id: string,
      rows: readonly PersonRow[],
    ): Promise<{ household: Household; subjects: string[] }> {
      const scope = await visitScope(viewer);
      if (rows.length === 0 || (scope && !rows.some((r) => scope.has(r.id)))) throw notFound('世帯');
      if (!privileged(viewer) && (await repo.householdShielded(id))) throw notFound('世帯');
      const head = rows.find((r) => r.record.relationship.codes[0] === '02');
      const household: Household = { id };
      if (head) {
        household.headPersonId = head.id;
        household.headName = head.record.name.full;
      }
      const address = (head ?? rows[0]!).record.address;
      if (address) household.address = address;
      household.members = rows.map((r) => ({
        personId: r.id,
        ...(r.household_order !== null ? { order: r.household_order } : {}),
        name: r.record.name.full,
        relationship: {
          codes: r.record.relationship.codes,
          ...(r.record.relationship.label ? { label: r.record.relationship.label } : {}),
        },
        status: r.record.status,
      }));
      return { household, subjects: rows.map((r) => r.id) };
    },

    /** A person's enrolments: not found with the person; household and linked persons withheld when shielded. */
    async enrolments(
      viewer: Viewer,
      row: PersonRow | undefined,
      items: readonly Enrolment[],
    ): Promise<Enrolment[]> {
      const [seen] = row ? await screen(viewer, [row]) : [];
      if (!seen) throw notFound('住民');
      return items.map((e) => {
        const { extras: _extras, ...rest } = e as Enrolment & { extras?: unknown };
        if (!seen.cut.shielded || !e.details) return rest as Enrolment;
        const details = Object.fromEntries(
          Object.entries(e.details).filter(([k]) => !LINKING_DETAILS.includes(k)),
        );
        return { ...rest, details } as Enrolment;
      });
    },

    /** Certificate ids the viewer may not see (to leave out of a search). */
    async hiddenCertificates(viewer: Viewer): Promise<string[]> {
      return privileged(viewer) ? [] : repo.certificatesOfRestricted();
    },

    /** A certificate as the viewer may see it, or not found. */
    async certificate(viewer: Viewer, cert: TransferCertificate | undefined): Promise<TransferCertificate> {
      if (!cert || (await this.hiddenCertificates(viewer)).includes(cert.id)) throw notFound('転出証明書');
      const scope = await visitScope(viewer);
      if (scope && !cert.persons.some((p) => scope.has(p.id))) throw notFound('転出証明書');
      return this.certificateView(viewer, cert);
    },

    /** 個人番号 of a certificate's persons only with `mynumber:read`. */
    certificateView(viewer: Viewer, cert: TransferCertificate): TransferCertificate {
      if (hasScope(viewer.client, 'mynumber:read')) return cert;
      return {
        ...cert,
        persons: cert.persons.map((p) => {
          if (p.myNumber === undefined) return p;
          const { myNumber: _m, ...rest } = p;
          return { ...rest, withheld: ['myNumber'] };
        }),
      };
    },

    /** A submission of persons the viewer may see, or not found. */
    async submission<T>(viewer: Viewer, personIds: readonly string[], submission: T): Promise<T> {
      if (!privileged(viewer) && (await repo.restrictedAmong(personIds)).size > 0) throw notFound('受付');
      return submission;
    },

    /**
     * Rejected rows: the raw row only with a purpose, and never when it names a restricted person,
     * their household or a shared address (or the file flagged the row as restricted).
     */
    async rejects<R extends { raw?: string; restricted?: boolean }>(
      viewer: Viewer,
      items: readonly R[],
    ): Promise<R[]> {
      const full = privileged(viewer);
      const marks = full ? undefined : await repo.restrictedMarks();
      return items.map((item) => {
        if (item.raw === undefined) return item;
        if (!viewer.purpose && !viewer.visitId) return withoutRaw(item);
        if (!marks) return item;
        if (item.restricted) return withoutRaw(item);
        const text = decodeRaw(item.raw);
        const fields = new Set(text.split(/[,\t"\s]+/));
        const named =
          marks.texts.some((t) => t && text.includes(t)) ||
          marks.atenaNos.some((a) => [...fields].some((f) => f.replace(/^0+/, '') === a)) ||
          marks.householdIds.some((h) => [...fields].some((f) => f.replace(/^0+/, '') === h));
        return named ? withoutRaw(item) : item;
      });
    },

    /**
     * Audit rows: restricted persons' ids are left out of the subjects for a viewer without
     * privilege, and a search for one of them finds nothing.
     */
    async auditItems<A extends { subjects: string[] }>(
      viewer: Viewer,
      items: readonly A[],
      subject?: string,
    ): Promise<A[]> {
      if (privileged(viewer)) return [...items];
      if (subject && (await repo.restrictedAmong([subject])).size > 0) return [];
      const hidden = await repo.restrictedAmong([...new Set(items.flatMap((i) => i.subjects))]);
      if (hidden.size === 0) return [...items];
      return items.map((i) => ({ ...i, subjects: i.subjects.filter((s) => !hidden.has(s)) }));
    },
  };
}

export type Disclosure = ReturnType<typeof createDisclosure>;

/** A cut as a cache key. */
function cutKeyOf(cut: PersonCut): string {
  return `${+cut.myNumber}${+cut.shielded}${+cut.extras}`;
}

function withoutRaw<R extends { raw?: string }>(item: R): R {
  const { raw: _raw, ...rest } = item;
  return { ...rest, withheld: ['raw'] } as unknown as R;
}

/** A reject's raw bytes (base64) as text: UTF-8, or CP932 where UTF-8 does not fit. */
function decodeRaw(base64: string): string {
  const bytes = Buffer.from(base64, 'base64');
  const utf8 = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  return utf8.includes('\uFFFD') ? `${utf8}\n${new TextDecoder('shift_jis').decode(bytes)}` : utf8;
}

/** Header values are Latin-1 on the wire; clients send Japanese text percent-encoded. */
function decodeText(value: string): string {
  try {
    return decodeURIComponent(value).trim();
  } catch {
    return value.trim();
  }
}
