import { PkError } from '@pk/config';
import { rememberBodyJson } from '@pk/providers';
import { errorCodes, type FastifyInstance } from 'fastify';
import secureJsonParse from 'secure-json-parse';
import { jsonNestsDeeperThan, MAX_JSON_DEPTH } from '../request-body/json-depth.js';

const PARSE_OPTIONS = { protoAction: 'error', constructorAction: 'error' } as const;

/** Methods whose requests normally carry no body: an empty JSON body there is no body, not an error. */
const BODYLESS_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS']);

/**
 * Where a parsed body (JSON.parse's, which keeps a `__proto__` key as an own key) holds the first key
 * secure-json-parse refuses: `variables.__proto__`, `a.constructor.prototype`. Only on that refusal.
 */
export function forbiddenKeyPath(value: unknown, path = ''): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const at = (key: string) => (path === '' ? key : `${path}.${key}`);
  if (!Array.isArray(value)) {
    if (Object.hasOwn(value, '__proto__')) return at('__proto__');
    const ownConstructor = Object.hasOwn(value, 'constructor')
      ? (value as { constructor: unknown }).constructor
      : undefined;
    if (
      typeof ownConstructor === 'object' &&
      ownConstructor !== null &&
      Object.hasOwn(ownConstructor, 'prototype')
    ) {
      return at('constructor.prototype');
    }
  }
  for (const [key, item] of Object.entries(value)) {
    const found = forbiddenKeyPath(item, at(key));
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The 400 for a body secure-json-parse refused for a key, naming where the key is. */
function forbiddenKeyError(text: string): PkError | undefined {
  let path: string | undefined;
  try {
    path = forbiddenKeyPath(JSON.parse(text));
  } catch {
    return undefined;
  }
  if (path === undefined) return undefined;
  return new PkError(
    'PK_ERR_INVALID_REQUEST',
    `the request body has the key ${path}, which is refused (it would change what an object inherits): rename it`,
  );
}

/** True when `bytes` start with the UTF-8 byte-order mark EF BB BF (some Windows tools write one). */
function hasByteOrderMark(bytes: Buffer): boolean {
  return bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
}

/**
 * `application/json` bodies, parsed as fastify's own parser does (secure-json-parse: a `__proto__` or
 * `constructor.prototype` key is refused, with a 400 naming where it is; an empty or broken body is fastify's 400), but from the
 * bytes, which are kept with the parsed object (`rememberBodyJson`): an OpenAI-family upstream gets
 * them as they came when nothing changed the body, instead of a second `JSON.stringify` and encode.
 * A leading UTF-8 byte-order mark is skipped: neither parsed nor sent upstream. A body nested more
 * than {@link MAX_JSON_DEPTH} levels deep is refused before the parse.
 */
export function useJsonBodyParser(app: FastifyInstance): void {
  // No route takes text: fastify's own `text/plain` parser made a JSON body sent as text a string,
  // refused later as a 400 that did not say why. A body sent as text is the 415 of any other type
  // (whose message names the type taken); an empty one on a DELETE still passes, as before.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('text/plain', { parseAs: 'buffer' }, (request, bytes, done) => {
    if ((bytes as Buffer).length === 0 && BODYLESS_METHODS.has(request.method)) done(null, undefined);
    else done(new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE(), undefined);
  });
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, bytes, done) => {
    // A UTF-8 byte-order mark before the JSON is skipped (a view, not a copy), and not sent upstream.
    const buffer = hasByteOrderMark(bytes as Buffer) ? (bytes as Buffer).subarray(3) : (bytes as Buffer);
    if (buffer.length === 0 && BODYLESS_METHODS.has(request.method)) {
      // The portkey-ai SDK sends `content-type: application/json` and no body on every DELETE.
      done(null, undefined);
      return;
    }
    if (buffer.length === 0) {
      done(new errorCodes.FST_ERR_CTP_EMPTY_JSON_BODY(), undefined);
      return;
    }
    if (jsonNestsDeeperThan(buffer, MAX_JSON_DEPTH)) {
      const message = `the request body nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep`;
      done(new PkError('PK_ERR_INVALID_REQUEST', message), undefined);
      return;
    }
    let body: unknown;
    const text = buffer.toString('utf8');
    try {
      body = secureJsonParse.parse(text, undefined, PARSE_OPTIONS);
    } catch {
      done(forbiddenKeyError(text) ?? new errorCodes.FST_ERR_CTP_INVALID_JSON_BODY(), undefined);
      return;
    }
    if (typeof body === 'object' && body !== null) rememberBodyJson(body, buffer);
    done(null, body);
  });
}
