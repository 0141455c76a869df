import type { Envelope, Payload } from './response.js';

/** `{"subsonic-response": {status, version, type, serverVersion, openSubsonic, ...payload}}`; undefined fields are left out. */
export function toJson(head: Envelope, payload: Payload): string {
  return JSON.stringify({ 'subsonic-response': { ...head, ...payload } });
}

const CALLBACK = /^[A-Za-z_$][A-Za-z0-9_$.]{0,99}$/;

/** JSONP (`f=jsonp&callback=name`): only plain identifiers are accepted as the callback. */
export function isValidCallback(name: string): boolean {
  return CALLBACK.test(name);
}

export function toJsonp(callback: string, head: Envelope, payload: Payload): string {
  return `${callback}(${toJson(head, payload)});`;
}
