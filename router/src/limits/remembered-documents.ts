/**
 * The longest query text (in characters) the router remembers anything of per document: the
 * documents `KnownOperations` answers on its own, the plans `DirectFetches` runs itself, the
 * WebSocket server's checked documents. Those are capped by count, and whitespace and comments are
 * no tokens (the token limit does not bound a text): a document padded to the body limit would be
 * kept whole, its text and parsed locations, ~2 MB each. Real operations are a few KiB at most; a
 * longer one still works, it just takes the normal path (parsed, validated, planned) every time.
 */
export const MAX_REMEMBERED_QUERY_LENGTH = 32 * 1024;
