import { type APIPromise, type ClientOptions, OpenAI } from 'openai';
import { acceptThirdArgument } from './call-arguments.js';
import { headerNamesOf } from './header-names-of.js';
import { authorizationOf, buildCallHeaders } from './portkey-headers.js';
import type { PortkeyClientOptions } from './portkey-options.js';
import { type ResolvedClientOptions, resolveClientOptions } from './resolve-client-options.js';
import type { PortkeyChat, PortkeyCompletions, PortkeyEmbeddings } from './resource-types.js';
import { withGetHeaders } from './response-headers.js';
import { splitCallOptions } from './split-options.js';

type FinalRequestOptions = Parameters<OpenAI['buildRequest']>[0];
type BuildRequestProps = Parameters<OpenAI['buildRequest']>[1];
type BuiltRequest = Awaited<ReturnType<OpenAI['buildRequest']>>;
type RequestInput = Parameters<OpenAI['request']>[0];

/**
 * openai's client options other than the three pk owns; accepted by `withOptions` only so that a
 * `Portkey` stays assignable to `OpenAI`. pk's `provider` is a provider id, never openai's object.
 */
export type OpenAIOnlyClientOptions = Partial<ClientOptions> & { provider?: never };

/**
 * The pk client: the openai client (the whole OpenAI surface, typed) pointed at a pk gateway, with
 * the official `portkey-ai` SDK's options sent as `x-portkey-*` headers (`@pk/headers`).
 *
 * ```ts
 * const portkey = new Portkey({ apiKey: process.env.PORTKEY_API_KEY, virtualKey: 'openai-prod' });
 * const completion = await portkey.chat.completions.create({ model: 'gpt-4o-mini', messages });
 * completion.getHeaders()['trace-id'];
 * ```
 */
export class Portkey extends OpenAI {
  /** `chat.completions.create(body, params?, opts?)` takes Portkey options per call. */
  declare chat: PortkeyChat;
  /** `completions.create(body, params?, opts?)` takes Portkey options per call. */
  declare completions: PortkeyCompletions;
  /** `embeddings.create(body, params?, opts?)` takes Portkey options per call. */
  declare embeddings: PortkeyEmbeddings;

  readonly #resolved: ResolvedClientOptions;
  readonly #defaultHeaderNames: ReadonlySet<string>;

  /**
   * @param options Portkey options (sent as headers), `baseURL` (default `PORTKEY_BASE_URL`, else
   *   `http://localhost:8787/v1`) and openai's transport options (`timeout`, `maxRetries`, `fetch` …).
   * @throws PkError `PK_ERR_INVALID_CONFIG` for an invalid config object, `PK_ERR_INVALID_HEADER`
   *   for an option value a header cannot carry.
   */
  constructor(options: PortkeyClientOptions = {}) {
    const resolved = resolveClientOptions(options);
    super(resolved.openai);
    this.#resolved = resolved;
    this.#defaultHeaderNames = headerNamesOf(resolved.openai.defaultHeaders);
    this.apiKey = resolved.headers['x-portkey-api-key'] ?? null;
    acceptThirdArgument(this.chat.completions);
    acceptThirdArgument(this.completions);
    acceptThirdArgument(this.embeddings);
  }

  /** The options this client was built from (`apiKey` and `baseURL` resolved). */
  get portkeyOptions(): Readonly<PortkeyClientOptions> {
    return this.#resolved.options;
  }

  /** The `x-portkey-*` (and `authorization`) headers every request of this client carries. */
  get portkeyHeaders(): Readonly<Record<string, string>> {
    const headers: Record<string, string> = { ...this.#resolved.headers };
    const authorization = authorizationOf(headers);
    if (authorization !== null) headers.authorization = authorization;
    return headers;
  }

  /**
   * A new client with these options over this one's; this client is left untouched (the official
   * SDK mutates itself, so a per-request trace id leaks into later calls).
   */
  override withOptions(options: PortkeyClientOptions): this;
  /** @deprecated openai's own options; kept so that a `Portkey` is assignable to `OpenAI`. */
  override withOptions(options: OpenAIOnlyClientOptions): this;
  override withOptions(options: PortkeyClientOptions | OpenAIOnlyClientOptions): this {
    return this.createSibling({ ...this.#resolved.options, ...(options as PortkeyClientOptions) });
  }

  /** Builds the client `withOptions` returns; subclasses that take more options override it. */
  protected createSibling(options: PortkeyClientOptions): this {
    const Client = this.constructor as new (options: PortkeyClientOptions) => this;
    return new Client(options);
  }

  /** Adds the Portkey headers (the client's, then this call's) to what openai built. */
  override async buildRequest(
    options: FinalRequestOptions,
    props?: BuildRequestProps,
  ): Promise<BuiltRequest> {
    const call = splitCallOptions(options as unknown as Readonly<Record<string, unknown>>).portkey;
    const headers =
      Object.keys(call).length === 0
        ? this.#resolved.headers
        : { ...this.#resolved.headers, ...buildCallHeaders(call) };
    const built = await super.buildRequest(options, props);
    const userSet = new Set([...this.#defaultHeaderNames, ...headerNamesOf(options.headers)]);
    const target = built.req.headers;
    for (const [name, value] of Object.entries(headers)) if (!userSet.has(name)) target.set(name, value);
    if (!userSet.has('authorization')) {
      const authorization = authorizationOf(headers);
      if (authorization === null) target.delete('authorization');
      else target.set('authorization', authorization);
    }
    return built;
  }

  /** pk decides `Authorization` itself (see `authorizationOf`); sending none is allowed. */
  protected override validateHeaders(): void {}

  /** Every non-streamed JSON result gets `getHeaders()`, as in the official SDK. */
  override request<Rsp>(options: RequestInput, remainingRetries: number | null = null): APIPromise<Rsp> {
    return super
      .request<Rsp>(options, remainingRetries)
      ._thenUnwrap((data, props) => withGetHeaders(data, props.response));
  }
}
