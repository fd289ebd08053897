import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Address } from '../schemas/address.ts';
import { HubDate } from '../schemas/common.ts';
import { PersonName, PersonRecord, PersonStatus } from '../schemas/person.ts';

/** Compiled once: checking each record is on the hot path of every import. */
export const personCheck = TypeCompiler.Compile(PersonRecord, [HubDate, Address, PersonName, PersonStatus]);
