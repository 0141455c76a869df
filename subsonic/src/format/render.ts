import { isValidCallback, toJson, toJsonp } from './json.js';
import { envelope, type Format, type Payload } from './response.js';
import { toXml } from './xml.js';

/** Where the format is read from: the query parameters (URLSearchParams or the request's Params). */
interface FormatParams {
  get(name: string): string | null | undefined;
}

/** The answer's format: XML by default, JSON with `f=json`, JSONP with `f=jsonp&callback=<identifier>`. */
export function formatOf(params: FormatParams): { format: Format; callback?: string } {
  const f = params.get('f');
  if (f === 'json') return { format: 'json' };
  if (f === 'jsonp') {
    const callback = params.get('callback') ?? '';
    return isValidCallback(callback) ? { format: 'jsonp', callback } : { format: 'json' };
  }
  return { format: 'xml' };
}

/** A whole response: its content type and body. */
export function render(params: FormatParams, serverVersion: string, status: 'ok' | 'failed', payload: Payload): { type: string; body: string } {
  const { format, callback } = formatOf(params);
  const head = envelope(status, serverVersion);
  if (format === 'xml') return { type: 'text/xml; charset=utf-8', body: toXml(head, payload) };
  if (format === 'jsonp' && callback) return { type: 'application/javascript; charset=utf-8', body: toJsonp(callback, head, payload) };
  return { type: 'application/json; charset=utf-8', body: toJson(head, payload) };
}

/** The key a rendered answer may be cached under: the same for every request rendered the same way. */
export function renderKey(params: FormatParams): string {
  const { format, callback } = formatOf(params);
  return callback ? `${format}:${callback}` : format;
}
