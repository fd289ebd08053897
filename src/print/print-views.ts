import type { ConsolidatedApplication } from '../schemas/consolidated.ts';
import type { FieldValue, PrefilledForm } from '../schemas/form.ts';

/** Text safe inside HTML (element content and quoted attributes). */
export function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/** A value as printed: a date in 和暦 (else ISO, else its 不詳 wording), text as is. */
function shown(v: FieldValue): string {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  return v.wareki ?? v.iso ?? v.label ?? v.source ?? '';
}

const STYLE = `
@page { size: A4; margin: 15mm; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans JP", "Hiragino Kaku Gothic ProN", "Yu Gothic", sans-serif; font-size: 10.5pt; color: #000; margin: 0; }
main { width: 180mm; margin: 0 auto; }
h1 { font-size: 16pt; text-align: center; margin: 0 0 4mm; }
h2 { font-size: 12pt; border-bottom: 1px solid #000; margin: 6mm 0 2mm; break-after: avoid; }
p.meta { text-align: right; margin: 0 0 3mm; }
table { width: 100%; border-collapse: collapse; break-inside: auto; }
th, td { border: 1px solid #000; padding: 1.5mm 2mm; vertical-align: top; text-align: left; }
th { width: 45mm; background: #f2f2f2; font-weight: normal; }
td.input { height: 9mm; }
tr { break-inside: avoid; }
.person { font-size: 9pt; color: #333; }
.signature { margin-top: 8mm; border: 1px solid #000; height: 25mm; padding: 2mm; break-inside: avoid; }
.note { font-size: 9pt; margin-top: 3mm; }
@media screen { body { background: #ddd; } main { background: #fff; padding: 15mm; margin: 5mm auto; width: 210mm; min-height: 297mm; } }
`;

function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="ja">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

type Names = Map<string, string>;

function row(label: string, value: string, person: string | undefined, names: Names, input: boolean): string {
  const who = person ? `<div class="person">${escapeHtml(names.get(person) ?? '')}</div>` : '';
  return `<tr><th>${escapeHtml(label)}${who}</th><td${input ? ' class="input"' : ''}>${escapeHtml(value)}</td></tr>`;
}

/**
 * A prefilled form as an A4 page for the resident to check and sign: every field with its
 * value, blank boxes for what is still to write, the signature box last. Print to PDF from the
 * browser.
 */
export function formPrintView(form: PrefilledForm, names: Names, referenceDate: string): string {
  const rows = form.fields
    .filter((f) => f.state !== 'signature')
    .map((f) => row(f.label, shown(f.value), f.person, names, f.state === 'input'))
    .join('\n');
  const signatures = form.fields
    .filter((f) => f.state === 'signature')
    .map((f) => `<div class="signature">${escapeHtml(f.label)}</div>`)
    .join('\n');
  const handoff =
    form.handoff.kind === 'paper'
      ? `この申請書は署名の後、${form.handoff.to} へお渡しします。`
      : `この申請書の内容は ${form.handoff.targets.join('・')} へ送られます。`;
  return page(
    form.title,
    `<h1>${escapeHtml(form.title)}</h1>
<p class="meta">${escapeHtml(referenceDate)}</p>
<table>
${rows}
</table>
${signatures}
<p class="note">${escapeHtml(handoff)} 内容をご確認のうえ署名してください。</p>`,
  );
}

/** The consolidated application (まとめて申請書) as A4 pages: a section per form, one signature. */
export function consolidatedPrintView(app: ConsolidatedApplication): string {
  const names: Names = new Map(app.persons.map((p) => [p.id, p.name]));
  const sections = app.sections
    .map(
      (s) => `<h2>${escapeHtml(s.title)}</h2>
<table>
${s.fields.map((f) => row(f.label, shown(f.value), f.person, names, f.value === null)).join('\n')}
</table>`,
    )
    .join('\n');
  const signed = app.signature
    ? `署名済み（${app.signature.method === 'tablet' ? 'タブレット' : '紙'}、${escapeHtml(app.signature.at)}）`
    : '';
  return page(
    app.title,
    `<h1>${escapeHtml(app.title)}</h1>
<p class="meta">${escapeHtml(app.referenceDate)}</p>
<p class="note">以下の ${app.sections.length} 件の申請・届出を、この1枚の署名でまとめて行います。各申請の内容はそれぞれの担当システムへ送られます。</p>
${sections}
<div class="signature">申請者署名（まとめて申請書）${signed ? `<div class="person">${signed}</div>` : ''}</div>`,
  );
}
