import type { HubDate } from '../schemas/common.ts';
import type { Enrolment } from '../schemas/enrolment.ts';
import type { LifeEvent } from './rules.ts';

/** One person of a visit, from the 住記 register or from a 転出証明書, as rules and forms see it. */
export interface VisitPerson {
  id: string;
  order: number;
  source: 'resident' | 'certificate';
  name: { full: string; family?: string; given?: string };
  kana?: { full?: string };
  birthDate: HubDate;
  sex: { code: string; label?: string };
  relationship: { codes: string[]; label?: string };
  /** Enrolments at the previous municipality (certificate) or per the 住記 record. */
  insuredBefore: Partial<Record<'kokuho' | 'kouki' | 'kaigo' | 'nenkin' | 'jidouTeate', boolean>>;
  pensionKind?: string;
  enrolments: Enrolment[];
  /** The whole canonical record, for form sources. */
  record: Record<string, unknown>;
  /** Where this person's values came from. */
  provenance: { adapter: string; importId: string; file?: string; line?: number; asOf: string };
}

export interface VisitContext {
  lifeEvent: LifeEvent;
  referenceDate: string;
  persons: VisitPerson[];
  certificate?: {
    id: string;
    number: string;
    plannedMoveOn?: HubDate;
    previousAddress?: { full?: string; postalCode?: string; building?: string };
    destination?: { full?: string; postalCode?: string; building?: string };
    headName?: string;
    record: Record<string, unknown>;
  };
}

/** The 都道府県 at the start of an address written in full (「大阪府大阪市…」 → 大阪府). */
export function prefectureOf(address: string | undefined): string | undefined {
  return address ? /^(東京都|北海道|(?:京都|大阪)府|.{2,3}県)/.exec(address)?.[1] : undefined;
}
