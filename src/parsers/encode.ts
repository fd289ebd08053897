import { cp932EncodeTable, puaToCp932UserDefined } from './cp932.ts';

/** A character the target encoding cannot hold: the writer must fail, never write `?`. */
export class UnencodableError extends Error {
  constructor(
    readonly char: string,
    readonly index: number,
    readonly encoding: string,
  ) {
    super(
      `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} (${char}) を ${encoding} で表せません（${index + 1}文字目）`,
    );
    this.name = 'UnencodableError';
  }
}

/** Reverse 外字 mapping: text (a character, maybe with an IVS selector) → the CP932 code. */
export type GaijiReverse = Map<string, number>;

/**
 * Encodes text to CP932. Private Use characters U+E000–U+E757 become their original
 * user-defined bytes; text found in `gaiji` (the municipality's table, longest match first)
 * becomes that table's code; anything else CP932 lacks throws UnencodableError.
 */
export function encodeCp932(text: string, gaiji?: GaijiReverse): Buffer {
  const table = cp932EncodeTable();
  const out: number[] = [];
  const chars = [...text];
  for (let i = 0; i < chars.length; i++) {
    if (gaiji && gaiji.size > 0) {
      const withSelector = chars[i + 1] === undefined ? undefined : gaiji.get(chars[i]! + chars[i + 1]!);
      const code = withSelector ?? gaiji.get(chars[i]!);
      if (code !== undefined) {
        out.push(code >> 8, code & 0xff);
        if (withSelector !== undefined) i++;
        continue;
      }
    }
    const cp = chars[i]!.codePointAt(0)!;
    const mapped = table.get(cp);
    if (mapped !== undefined) {
      if (mapped > 0xff) out.push(mapped >> 8, mapped & 0xff);
      else out.push(mapped);
      continue;
    }
    const pua = puaToCp932UserDefined(cp);
    if (pua) {
      out.push(...pua);
      continue;
    }
    throw new UnencodableError(chars[i]!, i, 'CP932');
  }
  return Buffer.from(out);
}
