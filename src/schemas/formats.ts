import { FormatRegistry } from '@sinclair/typebox';
import { isValidIsoDate } from '../normalize/wareki.ts';

// TypeBox checks only formats it is told about; these are the ones the hub's schemas use.
if (!FormatRegistry.Has('date')) FormatRegistry.Set('date', (v) => isValidIsoDate(v));
if (!FormatRegistry.Has('date-time'))
  FormatRegistry.Set('date-time', (v) => !Number.isNaN(Date.parse(v)) && /T/.test(v));
