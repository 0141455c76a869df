import { randomBytes } from 'node:crypto';
import { parseRange, type ByteRange } from './byte-ranges.js';
import { evaluatePreconditions, ifRangeHolds, validatorsOf, type ConditionalHeaders } from './conditional.js';

/** One file version as the endpoint serves it. */
export interface Representation {
  size: number;
  mtimeMs: number;
  contentType: string;
}

export interface RangeRequestHeaders extends ConditionalHeaders {
  range?: string;
}

/** A piece of the body: bytes of the file, or literal bytes (multipart framing). */
export type BodyPart = { file: ByteRange } | { literal: Buffer };

/** Everything the sender needs: status, headers and the body as parts. HEAD gets no parts. */
export interface ResponsePlan {
  status: 200 | 206 | 304 | 412 | 416;
  headers: Record<string, string>;
  body: BodyPart[];
  /** The file ranges the body carries (for play accounting). */
  ranges: ByteRange[];
}

export interface PlanOptions {
  maxParts: number;
  /** Tests pin the multipart boundary. */
  boundary?: string;
}

/**
 * Decides a GET/HEAD response for a file (RFC 9110): preconditions, then Range with If-Range.
 * Range handling is defined for GET only (§14.2), so HEAD answers as a GET without Range would.
 */
export function planResponse(method: 'GET' | 'HEAD', h: RangeRequestHeaders, rep: Representation, options: PlanOptions): ResponsePlan {
  const v = validatorsOf(rep.size, rep.mtimeMs);
  const common: Record<string, string> = {
    'accept-ranges': 'bytes',
    etag: v.etag,
    'last-modified': new Date(v.lastModifiedSec * 1000).toUTCString(),
    // private: the URL carries a personal ticket; no-transform: proxies must not recompress audio.
    'cache-control': 'private, no-transform',
  };
  const precondition = evaluatePreconditions(h, v);
  if (precondition === 'not-modified') return { status: 304, headers: common, body: [], ranges: [] };
  if (precondition === 'failed') return { status: 412, headers: { ...common, 'content-length': '0' }, body: [], ranges: [] };

  const full = (): ResponsePlan => {
    const ranges = rep.size > 0 ? [{ start: 0, end: rep.size - 1 }] : [];
    return withBody(method, {
      status: 200,
      headers: { ...common, 'content-type': rep.contentType, 'content-length': String(rep.size) },
      body: ranges.map((r) => ({ file: r })),
      ranges,
    });
  };
  if (method !== 'GET' || h.range === undefined || !ifRangeHolds(h.ifRange, v)) return full();

  const request = parseRange(h.range, rep.size, { maxParts: options.maxParts });
  switch (request.type) {
    case 'ignore':
      return full();
    case 'unsatisfiable':
      return { status: 416, headers: { ...common, 'content-range': `bytes */${rep.size}`, 'content-length': '0' }, body: [], ranges: [] };
    case 'ranges': {
      const [only] = request.ranges;
      if (only && request.ranges.length === 1) {
        return {
          status: 206,
          headers: {
            ...common,
            'content-type': rep.contentType,
            'content-range': `bytes ${only.start}-${only.end}/${rep.size}`,
            'content-length': String(only.end - only.start + 1),
          },
          body: [{ file: only }],
          ranges: request.ranges,
        };
      }
      return multipart(common, rep, request.ranges, options.boundary ?? randomBytes(12).toString('hex'));
    }
  }
}

function multipart(common: Record<string, string>, rep: Representation, ranges: ByteRange[], boundary: string): ResponsePlan {
  const body: BodyPart[] = [];
  let length = 0;
  ranges.forEach((r, i) => {
    const head = Buffer.from(
      `${i === 0 ? '' : '\r\n'}--${boundary}\r\ncontent-type: ${rep.contentType}\r\ncontent-range: bytes ${r.start}-${r.end}/${rep.size}\r\n\r\n`,
      'latin1',
    );
    body.push({ literal: head }, { file: r });
    length += head.length + r.end - r.start + 1;
  });
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`, 'latin1');
  body.push({ literal: tail });
  length += tail.length;
  return { status: 206, headers: { ...common, 'content-type': `multipart/byteranges; boundary=${boundary}`, 'content-length': String(length) }, body, ranges };
}

function withBody(method: 'GET' | 'HEAD', plan: ResponsePlan): ResponsePlan {
  return method === 'HEAD' ? { ...plan, body: [], ranges: [] } : plan;
}
