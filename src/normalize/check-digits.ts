/**
 * Check digits of Japanese identifiers (docs/formats/codes-and-check-digits.md).
 * 個人番号 is strict (平成26年総務省令第85号 第5条); the others are warnings only.
 */

/** Check digit of the 11-digit body of a 個人番号. */
export function myNumberCheckDigit(body11: string): number {
  let sum = 0;
  for (let n = 1; n <= 11; n++) sum += Number(body11[11 - n]) * (n <= 6 ? n + 1 : n - 5);
  const r = sum % 11;
  return r <= 1 ? 0 : 11 - r;
}

export function isValidMyNumber(value: string): boolean {
  return /^\d{12}$/.test(value) && myNumberCheckDigit(value.slice(0, 11)) === Number(value[11]);
}

/** 住民票コード: the 個人番号 weights over 10 digits (unconfirmed: a warning, never a reject). */
export function isPlausibleResidentCode(value: string): boolean {
  if (!/^\d{11}$/.test(value)) return false;
  let sum = 0;
  for (let n = 1; n <= 10; n++) sum += Number(value[10 - n]) * (n <= 6 ? n + 1 : n - 5);
  const r = sum % 11;
  return (r <= 1 ? 0 : 11 - r) === Number(value[10]);
}

/** 宛名番号 / 世帯番号 with モジュラス11（M11W2～7）: weights 2..7 from the right, repeating. */
export function m11w27CheckDigit(body: string): number | null {
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum += Number(body[body.length - 1 - i]) * ((i % 6) + 2);
  const r = sum % 11;
  if (r === 0) return 0;
  if (r === 1) return null; // not covered by §1.1.13: such numbers are not issued
  return 11 - r;
}

export function isValidM11W27(value: string): boolean {
  if (!/^\d{2,}$/.test(value)) return false;
  return m11w27CheckDigit(value.slice(0, -1)) === Number(value.at(-1));
}

/** 地方公共団体コード (6 digits): weights 6,5,4,3,2; check = last digit of 11 − (Σ mod 11). */
export function isValidLocalGovCode(value: string): boolean {
  if (!/^\d{6}$/.test(value)) return false;
  let sum = 0;
  for (let i = 0; i < 5; i++) sum += Number(value[i]) * (6 - i);
  return (11 - (sum % 11)) % 10 === Number(value[5]);
}
