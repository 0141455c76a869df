import type { Envelope, Payload } from './response.js';

const NAMESPACE = 'http://subsonic.org/restapi';

/**
 * Elements whose `value` field is their text content rather than an attribute, as in the XSD
 * (`<line start="0">text</line>`, `<lyrics artist="…">text</lyrics>`, `<genre songCount="3">Rock</genre>`).
 */
const TEXT_VALUE = new Set(['line', 'lyrics', 'cue', 'genre']);

type Scalar = string | number | boolean;
const isScalar = (v: unknown): v is Scalar => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

// XML 1.0 forbids most control characters even escaped; they are dropped.
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

export function escapeXml(value: string): string {
  return value.replace(FORBIDDEN, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * The JSON shape mapped onto the Subsonic XML conventions: scalar fields are attributes, objects
 * are child elements, arrays are repeated elements of the field's name (arrays of scalars as
 * `<name>text</name>`), and `value` is the text of the elements in TEXT_VALUE.
 */
function element(name: string, value: unknown, out: string[]): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) {
    for (const item of value) element(name, item, out);
    return;
  }
  if (isScalar(value)) {
    out.push(`<${name}>${escapeXml(String(value))}</${name}>`);
    return;
  }
  const attrs: string[] = [];
  const children: string[] = [];
  let text: string | undefined;
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === undefined || v === null) continue;
    if (key === 'value' && TEXT_VALUE.has(name) && isScalar(v)) text = escapeXml(String(v));
    else if (isScalar(v)) attrs.push(` ${key}="${escapeXml(String(v))}"`);
    else element(key, v, children);
  }
  const open = `<${name}${attrs.join('')}`;
  if (children.length === 0 && text === undefined) out.push(`${open}/>`);
  else out.push(`${open}>${text ?? ''}${children.join('')}</${name}>`);
}

export function toXml(head: Envelope, payload: Payload): string {
  const out: string[] = [];
  element('subsonic-response', { xmlns: NAMESPACE, ...head, ...payload }, out);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${out.join('')}`;
}
