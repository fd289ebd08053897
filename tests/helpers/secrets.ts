/** `\u`-escaped spelling of a string, as JSON may carry it. */
function uEscaped(s: string, upper: boolean): string {
  return s.replace(/[^\x20-\x7e]/g, (c) => {
    const hex = c.charCodeAt(0).toString(16).padStart(4, '0');
    return `\\u${upper ? hex.toUpperCase() : hex}`;
  });
}

/** Strings inside a body that are base64 (a reject's raw row), decoded. */
function base64Texts(body: string): string[] {
  const out: string[] = [];
  for (const m of body.matchAll(/"([A-Za-z0-9+/]{12,}={0,2})"/g)) {
    const bytes = Buffer.from(m[1]!, 'base64');
    out.push(new TextDecoder('utf-8').decode(bytes), new TextDecoder('shift_jis').decode(bytes));
  }
  return out;
}

/**
 * The secrets a body reveals, in any spelling: as is, after NFKC (full-width digits, the
 * ideographic space), `\u`-escaped, percent-encoded, or inside a base64 string.
 */
export function secretsIn(body: string, secrets: readonly string[]): string[] {
  const texts = [body, ...base64Texts(body)];
  const folded = texts.map((t) => t.normalize('NFKC'));
  return secrets.filter((secret) => {
    const nfkc = secret.normalize('NFKC');
    // A number (宛名番号, 世帯番号) counts only standing alone, not inside a longer one or a hash.
    if (/^\d+$/.test(nfkc)) {
      const alone = new RegExp(`(?<![0-9A-Za-z])${nfkc}(?![0-9A-Za-z])`);
      return folded.some((t) => alone.test(t));
    }
    return (
      texts.some((t) => t.includes(secret)) ||
      folded.some((t) => t.includes(nfkc)) ||
      body.includes(uEscaped(secret, false)) ||
      body.includes(uEscaped(secret, true)) ||
      body.includes(encodeURIComponent(secret)) ||
      body.includes(encodeURIComponent(nfkc))
    );
  });
}
