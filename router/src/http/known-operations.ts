import type { ApolloServerPlugin } from '@apollo/server';
import { OperationTypeNode, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import type { OperationRecorder, RawExchange } from '@ytm/http';
import { counter } from '@ytm/metrics';
import { isPublicOperation } from '../auth/public-operations.plugin.js';
import type { CostCheck } from '../limits/limits.plugin.js';
import { operationCost } from '../limits/operation-cost.js';
import { MAX_REMEMBERED_QUERY_LENGTH } from '../limits/remembered-documents.js';
import type { DirectFetches, DirectOperation } from '../supergraph/direct-fetch.js';
import type { RouterContext } from './router-context.js';

const knownAnswers = counter(
  'ytm_router_known_operation_answers_total',
  "Requests the router answered on its own HTTP path (a document Apollo Server's pipeline validated and answered directly before), without Apollo Server",
);

/**
 * At most this many documents, each of at most `MAX_REMEMBERED_QUERY_LENGTH` characters, and this
 * many distinct Accept headers, are remembered (the oldest is forgotten first).
 */
const MAX_DOCUMENTS = 2_000;
const MAX_ACCEPTS = 64;

/** A document Apollo Server's pipeline accepted and `DirectFetches` answered. */
interface Known {
  direct: DirectOperation;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  public: boolean;
}

/** A POST body that names a document and nothing else Apollo Server would act on. */
interface PlainRequest {
  query: string;
  operationName: string | undefined;
  variables: Record<string, unknown>;
}

export interface KnownOperationsOptions {
  directFetches: DirectFetches;
  checkCost: CostCheck;
  record: OperationRecorder;
}

/**
 * Known documents answered below Apollo Server. A document Apollo Server's pipeline parsed,
 * validated (with every validation rule: depth, aliases, tokens, directives) and executed, whose
 * plan `DirectFetches` answered without errors, is remembered by its text (of at most
 * `MAX_REMEMBERED_QUERY_LENGTH` characters) and operation name; the next POST of it is answered
 * here with the same rules in the same order, each from its one definition: the token checked by
 * the context the pipeline gets (`isPublicOperation` when there is none), the operation's cost
 * charged by the same `CostCheck`, the variables checked and the plan run by `DirectFetches`, the
 * duration recorded by the same recorder; the body is what Apollo Server writes for a result
 * without errors (`{"data":…}` and a newline) with the Content-Type it chose for the same Accept
 * header. A longer text takes Apollo Server's pipeline every time. Anything else — another method
 * or content type, extensions, a refusal, an error, a hand-over — goes to Apollo Server's pipeline
 * with the context made here (the cost charged once, every fetch made handed over), which answers
 * it as it always does.
 */
export class KnownOperations {
  private known = new Map<string, Known>();
  private contentTypes = new Map<string, string>();

  constructor(private readonly options: KnownOperationsOptions) {}

  /** Documents remembered now. */
  get size(): number {
    return this.known.size;
  }

  /**
   * Answers the request and returns true, or returns the context Apollo Server's pipeline is to use
   * (undefined: one is made as usual).
   */
  async answer(exchange: RawExchange, body: unknown, createContext: () => Promise<RouterContext>): Promise<true | RouterContext | undefined> {
    const started = process.hrtime.bigint();
    const { req, res } = exchange;
    if (req.method !== 'POST' || !isJsonContentType(req.headers['content-type'])) return undefined;
    const request = plainRequest(body);
    if (!request || request.query.length > MAX_REMEMBERED_QUERY_LENGTH) return undefined;
    const known = this.known.get(keyOf(request.query, request.operationName));
    const contentType = this.contentTypes.get(req.headers.accept ?? '');
    if (!known || contentType === undefined) return undefined;
    const schema = this.options.directFetches.current(known.direct);
    if (!schema) return undefined;
    let context: RouterContext;
    try {
      context = await createContext();
    } catch {
      // A token that does not verify: the pipeline makes the context again and answers the failure.
      return undefined;
    }
    context.mutation = known.operation.operation === OperationTypeNode.MUTATION;
    if (!context.viewer && !known.public) return context;
    const charged = this.options.checkCost(
      operationCost(schema, known.document, known.operation, request.variables),
      context.viewer?.id,
      context.forwardHeaders['x-forwarded-for'] ?? 'unknown',
    );
    context.charged = charged;
    try {
      await charged;
    } catch {
      return context;
    }
    const outcome = await this.options.directFetches.answer(known.direct, context, {}, request.variables, true);
    if ('handOver' in outcome) context.prefetched = outcome.handOver;
    if ('handOver' in outcome || 'errors' in outcome) return context;
    // Apollo Server's serialisation of a result without errors; a pass-through answer is the subgraph's, which is that already.
    const payload = 'body' in outcome ? outcome.body : `${JSON.stringify({ data: outcome.data })}\n`;
    this.options.record(known.operation.name?.value, known.operation.operation, false, started);
    knownAnswers.inc();
    res.writeHead(200, { 'content-type': contentType, 'content-length': String(Buffer.byteLength(payload)) });
    res.end(payload);
    return true;
  }

  /**
   * Learns from Apollo Server's pipeline: a document `DirectFetches` answered without errors (in a
   * POST: the document as sent, its operation as the pipeline resolved it).
   */
  plugin(): ApolloServerPlugin<RouterContext> {
    return {
      requestDidStart: async () => ({
        willSendResponse: async ({ contextValue, request, document, operation, errors, response }) => {
          const direct = contextValue.direct;
          if (!direct || !document || !operation || errors?.length || request.http?.method !== 'POST' || typeof request.query !== 'string') return;
          if (request.query.length > MAX_REMEMBERED_QUERY_LENGTH) return;
          if (response.body.kind !== 'single' || response.body.singleResult.errors?.length) return;
          const key = keyOf(request.query, request.operationName ?? undefined);
          if (this.known.get(key)?.direct === direct) return;
          if (this.known.size >= MAX_DOCUMENTS) this.known.delete(this.known.keys().next().value!);
          this.known.set(key, { direct, document, operation, public: isPublicOperation(operation) });
        },
      }),
    };
  }

  /** After Apollo Server's pipeline answered a POST: the Content-Type it chose for the request's Accept header. */
  learnContentType(exchange: RawExchange): void {
    const { req, res } = exchange;
    if (res.statusCode !== 200 || req.method !== 'POST') return;
    const contentType = res.getHeader('content-type');
    const accept = req.headers.accept ?? '';
    // A single result's type (an incremental delivery's multipart type is not one for these answers).
    if (typeof contentType !== 'string' || !contentType.startsWith('application/') || this.contentTypes.has(accept)) return;
    if (this.contentTypes.size >= MAX_ACCEPTS) this.contentTypes.delete(this.contentTypes.keys().next().value!);
    this.contentTypes.set(accept, contentType);
  }
}

/** Apollo Server reads a missing or null operation name as none, and an empty one as a name. */
function keyOf(query: string, operationName: string | undefined): string {
  return `${operationName === undefined ? '-' : `+${operationName}`}\n${query}`;
}

/** `application/json`, with parameters or none (Apollo Server's CSRF prevention lets it through). */
function isJsonContentType(value: string | undefined): boolean {
  if (!value) return false;
  const semicolon = value.indexOf(';');
  return (semicolon < 0 ? value : value.slice(0, semicolon)).trim().toLowerCase() === 'application/json';
}

/** The body's query, operation name and variables, when it has no other key Apollo Server reads. */
function plainRequest(body: unknown): PlainRequest | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const { query, operationName, variables, ...rest } = body as Record<string, unknown>;
  if (typeof query !== 'string') return undefined;
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') return undefined;
  if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) return undefined;
  if (Object.keys(rest).length > 0) return undefined;
  return { query, operationName: operationName ?? undefined, variables: (variables ?? {}) as Record<string, unknown> };
}
