import { openStore, type Store } from '@pk/store';
import { requirePostgres } from '@pk/store/testing';
import { Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type MockOpenAI, startMockOpenAI } from '../bench/mock-openai-upstream.mjs';
import type { GatewayProcess } from './server-process.js';
import { sdkError } from './support/admin-harness.js';
import { textLine } from './support/output-lines.js';
import { residentMiB } from './support/process-memory.js';
import { type SdkGateway, startSdkGateway } from './support/sdk-gateway.js';

// Portkey's prompt library through the official portkey-ai SDK against the built gateway, on SQLite
// and on PostgreSQL: an admin saves a prompt template with its model, parameters and virtual key; an
// app runs it with `prompts.completions.create` (JSON and stream) and `prompts.render`; the mock
// provider receives the template filled in, the saved parameters under the request's own, and the
// virtual key's credential. Versions: an update is served as `@latest` / `@N`, the published version
// until `publish`.
const postgresUp = await requirePostgres('prompts end to end on PostgreSQL');
const PROVIDER_KEY = 'sk-prompt-library-0123456789abcdef';
const TEMPLATE = JSON.stringify([
  { role: 'system', content: 'You answer questions for {{company}}.' },
  { role: 'user', content: '{{question}}' },
]);
const variables = { company: 'Acme & Co', question: 'What is the capital of France?' };
const rendered = [
  { role: 'system', content: 'You answer questions for Acme & Co.' },
  { role: 'user', content: 'What is the capital of France?' },
];

describe.each(['sqlite', 'postgres'] as const)('prompts end to end on %s', (engine) => {
  const run = engine === 'sqlite' || postgresUp;
  let running: SdkGateway | undefined;
  let upstream: MockOpenAI;
  let gateway: GatewayProcess;
  let admin: Portkey;
  let app: Portkey;
  let slug: string;

  beforeAll(async () => {
    if (!run) return;
    upstream = await startMockOpenAI({ record: true });
    // PostgreSQL through a TCP proxy the outage test cuts.
    running = await startSdkGateway(engine, { proxy: engine === 'postgres' });
    gateway = running.gateway;
    admin = new Portkey({ apiKey: running.adminKey });
    app = new Portkey({ apiKey: running.userKey });
    await admin.integrations.create({
      name: 'OpenAI production',
      slug: 'openai-prod',
      ai_provider_id: 'openai',
      key: PROVIDER_KEY,
      configurations: { custom_host: `${upstream.url}/v1` },
    });
    const created = await admin.prompts.create({
      name: 'Support answer',
      collection_id: 'support',
      string: TEMPLATE,
      parameters: { temperature: 0.3, max_tokens: 64 },
      model: 'gpt-4o-mini',
      virtual_key: 'openai-prod',
      version_description: 'first',
    });
    expect(created).toMatchObject({ object: 'prompt', version_id: expect.any(String) });
    slug = created.slug as string;
  });

  afterAll(async () => {
    await running?.stop();
    await upstream?.close();
  });

  it.runIf(run)(
    'prompts.completions.create and prompts.render: the template filled in, through the prompt’s virtual key',
    async () => {
      const completion = await app.prompts.completions.create({ promptID: slug, variables, max_tokens: 5 });
      expect(completion.choices?.[0]?.message?.content).toBe('The capital of France is Paris.');
      const sent = upstream.received.at(-1);
      expect(sent?.headers.authorization).toBe(`Bearer ${PROVIDER_KEY}`);
      expect(sent?.body).toEqual({
        model: 'gpt-4o-mini',
        temperature: 0.3,
        max_tokens: 5,
        messages: rendered,
        stream: false,
      });

      const stream = await app.prompts.completions.create({ promptID: slug, variables, stream: true });
      let text = '';
      for await (const chunk of stream) text += chunk.choices?.[0]?.delta?.content ?? '';
      expect(text).toBe('The capital of France is Paris.');
      expect(upstream.received.at(-1)?.body).toMatchObject({
        messages: rendered,
        stream: true,
        max_tokens: 64,
      });

      const sentBefore = upstream.received.length;
      const render = await app.prompts.render({ promptID: slug, variables });
      expect(render).toMatchObject({
        success: true,
        data: { model: 'gpt-4o-mini', temperature: 0.3, max_tokens: 64, messages: rendered },
      });
      expect(upstream.received.length).toBe(sentBefore);
      // The request line (written within PK_LOG_FLUSH_MS) names the prompt and version it ran; the
      // provider key is in no line.
      await gateway.waitForLine(textLine(`"prompt":"${slug}@1"`));
      expect(gateway.output()).not.toContain(PROVIDER_KEY);
      // The log store keeps it too: the logs API (and the console) filter by prompt; `render` is no request.
      await vi.waitFor(
        async () => {
          const response = await fetch(`${gateway.url}/v1/logs?prompt=${slug}`, {
            headers: { 'x-portkey-api-key': running?.adminKey ?? '' },
          });
          const logs = (await response.json()) as { data: { prompt: string; stream: boolean }[] };
          expect(logs.data.map((record) => [record.prompt, record.stream])).toEqual([
            [`${slug}@1`, true],
            [`${slug}@1`, false],
          ]);
        },
        { timeout: 5000, interval: 200 },
      );
    },
  );

  it.runIf(run)(
    'a client config naming no provider, targets or virtual key (cache, retry), inline or saved, runs the prompt through its virtual key with that config’s cache',
    async () => {
      const userKey = running?.userKey ?? '';
      const inline = new Portkey({
        apiKey: userKey,
        config: { cache: { mode: 'simple' }, retry: { attempts: 2 } },
      });
      const asked = { ...variables, question: `Which config runs on ${engine}?` };
      const sent = upstream.received.length;
      const first = await inline.prompts.completions.create({ promptID: slug, variables: asked });
      expect(first.choices?.[0]?.message?.content).toBe('The capital of France is Paris.');
      expect(upstream.received.length).toBe(sent + 1);
      expect(upstream.received.at(-1)?.headers.authorization).toBe(`Bearer ${PROVIDER_KEY}`);
      expect(upstream.received.at(-1)?.body).toMatchObject({ model: 'gpt-4o-mini', temperature: 0.3 });
      // The config's cache applies: the same run again is answered from it, nothing is sent.
      const again = await inline.prompts.completions.create({ promptID: slug, variables: asked });
      expect(again.choices?.[0]?.message?.content).toBe('The capital of France is Paris.');
      expect(upstream.received.length).toBe(sent + 1);
      // `render` fills the template in the same way with the config sent.
      expect(await inline.prompts.render({ promptID: slug, variables: asked })).toMatchObject({
        success: true,
        data: { model: 'gpt-4o-mini' },
      });

      // A saved config with only a retry: named by its id, it does not route either.
      const saved = await admin.configs.create({
        name: 'Prompt retries',
        config: { retry: { attempts: 1 } },
      });
      const bySaved = new Portkey({ apiKey: userKey, config: saved.slug as string });
      const viaSaved = await bySaved.prompts.completions.create({ promptID: slug, variables });
      expect(viaSaved.choices?.[0]?.message?.content).toBe('The capital of France is Paris.');
      expect(upstream.received.length).toBe(sent + 2);
      expect(upstream.received.at(-1)?.headers.authorization).toBe(`Bearer ${PROVIDER_KEY}`);

      // A config that routes (a virtual key that does not exist) still wins over the prompt's key.
      const routing = new Portkey({ apiKey: userKey, config: { virtual_key: 'no-such-key' } });
      const refused = await sdkError(routing.prompts.completions.create({ promptID: slug, variables }));
      expect({ status: refused.status, message: refused.message }).toMatchObject({
        status: 404,
        message: expect.stringContaining('PK_ERR_VIRTUAL_KEY_NOT_FOUND'),
      });
      expect(upstream.received.length).toBe(sent + 2);
      await admin.configs.delete({ slug: saved.slug as string });
    },
  );

  it.runIf(run)(
    'versions: an update is served as @latest and @2, the published version until publish',
    async () => {
      const updated = await admin.prompts.update(slug, {
        string: 'Say hello to {{name}}.',
        version_description: 'shorter',
      });
      expect(updated).toMatchObject({ prompt_version: 2 });
      const userMessageOf = async (promptID: string) => {
        await app.prompts.completions.create({ promptID, variables: { ...variables, name: 'Ann' } });
        return (upstream.received.at(-1)?.body as { messages?: unknown[] } | undefined)?.messages;
      };
      expect(await userMessageOf(slug)).toEqual(rendered);
      expect(await userMessageOf(`${slug}@latest`)).toEqual([{ role: 'user', content: 'Say hello to Ann.' }]);
      expect(await userMessageOf(`${slug}@2`)).toEqual([{ role: 'user', content: 'Say hello to Ann.' }]);
      expect(await userMessageOf(`${slug}@1`)).toEqual(rendered);

      await admin.prompts.publish(slug, { version: 2 });
      expect(await userMessageOf(slug)).toEqual([{ role: 'user', content: 'Say hello to Ann.' }]);
      expect(await admin.prompts.retrieve(slug)).toMatchObject({
        slug,
        name: 'Support answer',
        string: 'Say hello to {{name}}.',
        prompt_version: 2,
        latest_version: 2,
        virtual_key: 'openai-prod',
        parameters: { temperature: 0.3, max_tokens: 64 },
      });
      const versions = await admin.prompts.versions.list(slug);
      expect(
        (versions.data as { prompt_version: number; prompt_version_description: string }[]).map((version) => [
          version.prompt_version,
          version.prompt_version_description,
        ]),
      ).toEqual([
        [2, 'shorter'],
        [1, 'first'],
      ]);
      expect((await admin.prompts.list()).total).toBe(1);
    },
  );

  it.runIf(run)(
    'labels: a request names slug@label, the label moves when a version is promoted, and goes with its deletion',
    async () => {
      const userMessageOf = async (promptID: string) => {
        await app.prompts.completions.create({ promptID, variables: { ...variables, name: 'Ann' } });
        return (upstream.received.at(-1)?.body as { messages?: unknown[] } | undefined)?.messages;
      };
      const universal = await admin.labels.list();
      expect(
        (universal.data as { name: string; is_universal: boolean }[]).map((label) => [
          label.name,
          label.is_universal,
        ]),
      ).toEqual([
        ['development', true],
        ['production', true],
        ['staging', true],
      ]);
      const canary = (await admin.labels.create({
        name: 'canary',
        description: 'a few users',
        color_code: '#FF5733',
      })) as {
        id: string;
      };
      expect(await admin.labels.retrieve(canary.id)).toMatchObject({
        id: canary.id,
        name: 'canary',
        description: 'a few users',
        color_code: '#FF5733',
        is_universal: false,
        object: 'label',
      });
      const versions = (await admin.prompts.versions.list(slug)).data as {
        id: string;
        prompt_version: number;
      }[];
      const versionId = (number: number) =>
        versions.find((version) => version.prompt_version === number)?.id ?? '';
      // Portkey's call names the version by id and the label by id; pk takes a label's name too.
      await admin.prompts.versions.update(slug, versionId(1), { label_id: canary.id });
      await admin.prompts.versions.update(slug, versionId(1), { label_id: 'staging' });
      expect(await userMessageOf(`${slug}@canary`)).toEqual(rendered);
      expect(await userMessageOf(`${slug}@staging`)).toEqual(rendered);
      // Promote: staging moves to version 2; canary stays.
      await admin.prompts.versions.update(slug, versionId(2), { label_id: 'staging' });
      expect(await userMessageOf(`${slug}@staging`)).toEqual([
        { role: 'user', content: 'Say hello to Ann.' },
      ]);
      expect(await userMessageOf(`${slug}@canary`)).toEqual(rendered);
      const listed = (await admin.prompts.versions.list(slug)).data as {
        prompt_version: number;
        labels: string[];
        label_id: string | null;
      }[];
      expect(listed.map((version) => [version.prompt_version, version.labels])).toEqual([
        [2, ['staging']],
        [1, ['canary']],
      ]);
      expect(listed[1]?.label_id).toBe(canary.id);
      expect(await admin.prompts.versions.retrieve(slug, versionId(2))).toMatchObject({
        labels: ['staging'],
      });
      // A label that points at no version of the prompt, or does not exist: a 404, nothing sent.
      const sent = upstream.received.length;
      expect(
        await sdkError(app.prompts.completions.create({ promptID: `${slug}@production`, variables })),
      ).toMatchObject({
        status: 404,
      });
      await admin.labels.update(canary.id, { name: 'beta' });
      expect(
        await sdkError(app.prompts.completions.create({ promptID: `${slug}@canary`, variables })),
      ).toMatchObject({
        status: 404,
      });
      expect(await userMessageOf(`${slug}@beta`)).toEqual(rendered);
      await admin.labels.delete(canary.id);
      expect(
        await sdkError(app.prompts.completions.create({ promptID: `${slug}@beta`, variables })),
      ).toMatchObject({
        status: 404,
      });
      expect(upstream.received.length).toBe(sent + 1);
      // Refusals: a universal label, a label name that reads as a version, content changes of a version.
      expect(
        await sdkError(admin.labels.delete((universal.data as { id: string }[])[0]?.id ?? '')),
      ).toMatchObject({
        status: 409,
      });
      expect(await sdkError(admin.labels.create({ name: 'latest' }))).toMatchObject({ status: 400 });
      expect(
        await sdkError(admin.prompts.versions.update(slug, versionId(1), { string: 'x' } as never)),
      ).toMatchObject({ status: 400, message: expect.stringContaining('immutable') });
      expect(
        await sdkError(admin.prompts.versions.update(slug, versionId(1), { label_id: 'no-such-label' })),
      ).toMatchObject({ status: 400, message: expect.stringContaining('label_id') });
    },
  );

  it.runIf(run)(
    'collections: folders of prompts, nested, counted, renamed, run from, and deleted only when empty',
    async () => {
      const support = (await admin.collections.create({ name: 'Support', workspace_id: 'ignored' })) as {
        id: string;
        slug: string;
      };
      expect(support.slug).toMatch(/^support-[0-9a-f]{6}$/);
      const refunds = (await admin.collections.create({
        name: 'Refunds',
        parent_collection_id: support.slug,
      })) as { id: string; slug: string };
      // A prompt saved into the child collection by its slug, then run like any prompt.
      const saved = await admin.prompts.create({
        name: 'Refund answer',
        collection_id: refunds.slug,
        string: TEMPLATE,
        parameters: { max_tokens: 16 },
        model: 'gpt-4o-mini',
        virtual_key: 'openai-prod',
      });
      const before = upstream.received.length;
      await app.prompts.completions.create({ promptID: saved.slug as string, variables });
      expect(
        upstream.received.slice(before).map((request) => (request.body as { messages: unknown }).messages),
      ).toEqual([rendered]);

      const listed = (await admin.collections.list({ workspace_id: 'ignored' })) as unknown as {
        total: number;
        data: {
          id: string;
          name: string;
          parent_collection_id: string | null;
          collection_details: Record<string, unknown>;
        }[];
      };
      expect(listed.total).toBe(2);
      expect(listed.data.map((collection) => [collection.name, collection.parent_collection_id])).toEqual([
        ['Refunds', support.id],
        ['Support', null],
      ]);
      expect(listed.data[0]?.collection_details).toMatchObject({
        prompts_count: 1,
        child_collections_count: 0,
      });
      expect(
        (
          (await admin.collections.list({ search: 'refu', page_size: 1 } as never)) as unknown as {
            data: unknown[];
          }
        ).data,
      ).toHaveLength(1);

      const retrieved = (await admin.collections.retrieve(support.slug)) as Record<string, unknown>;
      expect(retrieved).toMatchObject({
        id: support.id,
        name: 'Support',
        object: 'collection',
        collection_details: { prompts_count: 0, child_collections_count: 1 },
        child_collections: [{ id: refunds.id, name: 'Refunds', collection_details: { prompts_count: 1 } }],
      });
      // The collection's prompts, by its id or slug.
      for (const reference of [refunds.id, refunds.slug]) {
        const prompts = (await admin.prompts.list({ collection_id: reference })) as unknown as {
          data: { slug: string; collection_id: string }[];
        };
        expect(prompts.data.map((prompt) => [prompt.slug, prompt.collection_id])).toEqual([
          [saved.slug, refunds.id],
        ]);
      }

      await admin.collections.update(refunds.id, { name: 'Refunds & returns' });
      expect(((await admin.collections.retrieve(refunds.slug)) as unknown as { name: string }).name).toBe(
        'Refunds & returns',
      );

      // Not emptied: refused, saying what it holds; an app key may not manage collections.
      expect(await sdkError(admin.collections.delete(support.id))).toMatchObject({
        status: 409,
        message: expect.stringContaining('1 collection(s)'),
      });
      expect(await sdkError(admin.collections.delete(refunds.slug))).toMatchObject({
        status: 409,
        message: expect.stringContaining('1 prompt(s)'),
      });
      expect(await sdkError(app.collections.create({ name: 'x' }))).toMatchObject({ status: 403 });
      expect(
        await sdkError(admin.collections.create({ name: 'x', parent_collection_id: 'nowhere' })),
      ).toMatchObject({
        status: 404,
      });
      expect(await sdkError(admin.collections.create({ name: 'x', color: 'red' } as never))).toMatchObject({
        status: 400,
        message: expect.stringContaining('color'),
      });

      await admin.prompts.delete(saved.slug as string);
      await admin.collections.delete(refunds.slug);
      await admin.collections.delete(support.id);
      expect(await sdkError(admin.collections.retrieve(support.id))).toMatchObject({ status: 404 });
    },
  );

  it.runIf(run)(
    'partials: a prompt includes a partial that includes another, each at its published version',
    async () => {
      const signature = await admin.prompts.partials.create({
        name: 'Signature',
        string: '(signed {{company}})',
      });
      const sign = signature.slug as string;
      expect(sign).toMatch(/^pl-signature-[0-9a-f]{6}$/);
      const tone = (await admin.prompts.partials.create({ name: 'Tone', string: `Be brief. {{> ${sign}}}` }))
        .slug as string;
      const created = await admin.prompts.create({
        name: 'With partials',
        collection_id: 'support',
        string: JSON.stringify([
          { role: 'system', content: `{{> ${tone}}}` },
          { role: 'user', content: '{{question}}' },
        ]),
        parameters: {},
        model: 'gpt-4o-mini',
        virtual_key: '@openai-prod',
      });
      const systemOf = async () => {
        await app.prompts.completions.create({ promptID: created.slug as string, variables });
        const body = upstream.received.at(-1)?.body as { messages?: { content: string }[] } | undefined;
        return body?.messages?.[0]?.content;
      };
      expect(await systemOf()).toBe('Be brief. (signed Acme & Co)');
      expect(upstream.received.at(-1)?.headers.authorization).toBe(`Bearer ${PROVIDER_KEY}`);

      // A new version of the inner partial reaches the prompt once published.
      await admin.prompts.partials.update(sign, { string: '— {{company}}', description: 'dash' });
      expect(await systemOf()).toBe('Be brief. (signed Acme & Co)');
      await admin.prompts.partials.publish(sign, { version: 2 });
      expect(await systemOf()).toBe('Be brief. — Acme & Co');
      expect(await admin.prompts.partials.retrieve(sign)).toMatchObject({
        slug: sign,
        string: '— {{company}}',
        version: 2,
        latest_version: 2,
        object: 'prompt_partial',
      });
      const versions = await admin.prompts.partials.versions.list(sign);
      expect(
        (versions.data as { version: number; description: string | null }[]).map((v) => v.description),
      ).toEqual(['dash', null]);
      expect((await admin.prompts.partials.list()).total).toBe(2);
      await admin.prompts.delete(created.slug as string);
      await admin.prompts.partials.delete(tone);
      await admin.prompts.partials.delete(sign);
    },
  );

  it.runIf(run)(
    'partials that would include each other are refused when saved (400 naming the ring, nothing stored); a ring saved before is a 400 at run time that sends nothing',
    async () => {
      const refusal = async (promise: Promise<unknown>) => {
        const error = await sdkError(promise);
        return { status: error.status, message: error.message, body: error.body };
      };
      /** Writes straight into the store, as a change saved before the admin API checked for rings. */
      const inStore = async (write: (store: Store) => Promise<unknown>) => {
        const store = await openStore({
          ...running?.setup.storeOptions,
          serve: false,
          onWarning: () => undefined,
        });
        try {
          await write(store);
        } finally {
          await store.close();
        }
      };
      const ring = (chain: string) =>
        `invalid prompt partial: string: would make partials include each other (${chain}): no prompt including them could run`;
      const inner = (await admin.prompts.partials.create({ name: 'Ring inner', string: 'Thanks.' }))
        .slug as string;
      const outer = (
        await admin.prompts.partials.create({ name: 'Ring outer', string: `Hi. {{> ${inner}}}` })
      ).slug as string;

      // A partial that includes itself, at create (a slug given) and in a new version.
      expect(
        await refusal(
          // pk takes a slug (Portkey's SDK types do not list it).
          admin.prompts.partials.create({
            ...{ name: 'Self', slug: 'ring-self' },
            string: '{{> ring-self}}',
          }),
        ),
      ).toEqual({
        status: 400,
        message: ring('ring-self → ring-self'),
        body: {
          error: {
            message: ring('ring-self → ring-self'),
            type: 'invalid_request_error',
            param: 'string',
            code: 'PK_ERR_INVALID_REQUEST',
          },
          message: ring('ring-self → ring-self'),
        },
      });
      expect(await sdkError(admin.prompts.partials.retrieve('ring-self'))).toMatchObject({ status: 404 });
      expect(await refusal(admin.prompts.partials.update(inner, { string: `{{> ${inner}}}` }))).toMatchObject(
        {
          status: 400,
          message: ring(`${inner} → ${inner}`),
        },
      );
      // The inner partial to include the outer one, which includes it: A → B → A, through the raw API too.
      expect(
        await refusal(admin.prompts.partials.update(inner, { string: `Bye. {{> ${outer}}}` })),
      ).toMatchObject({
        status: 400,
        message: ring(`${inner} → ${outer} → ${inner}`),
      });
      const raw = await fetch(`${gateway.url}/v1/prompts/partials/${inner}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', 'x-portkey-api-key': running?.adminKey ?? '' },
        body: JSON.stringify({ string: `{{#list}}{{> ${outer}@latest}}{{/list}}` }),
      });
      expect(raw.status).toBe(400);
      expect(await raw.json()).toMatchObject({
        error: {
          code: 'PK_ERR_INVALID_REQUEST',
          param: 'string',
          message: ring(`${inner} → ${outer}@latest → ${inner}`),
        },
      });
      expect((await admin.prompts.partials.versions.list(inner)).data).toHaveLength(1);

      // A version saved while it closed no ring is refused at publish once it would.
      const loose = (await admin.prompts.partials.create({ name: 'Ring loose', string: 'Loose.' }))
        .slug as string;
      await admin.prompts.partials.update(loose, { string: `{{> ${outer}}}` });
      await admin.prompts.partials.update(outer, { string: `{{> ${loose}}}` });
      await admin.prompts.partials.publish(outer, { version: 2 });
      expect(await refusal(admin.prompts.partials.publish(loose, { version: 2 }))).toMatchObject({
        status: 400,
        message: `invalid prompt partial version: version 2: would make partials include each other (${loose} → ${outer} → ${loose}): no prompt including them could run`,
      });
      expect(await admin.prompts.partials.retrieve(loose)).toMatchObject({ version: 1 });

      // Nested deeper than a run allows: refused when it is saved, naming the chain.
      const levels: string[] = [];
      for (let level = 7; level >= 1; level -= 1) {
        const below = levels.at(-1);
        const string = below === undefined ? 'end' : `{{> ${below}}}`;
        levels.push((await admin.prompts.partials.create({ name: `Level ${level}`, string })).slug as string);
      }
      const top = (await admin.prompts.partials.create({ name: 'Level 0', string: `{{> ${levels.at(-1)}}}` }))
        .slug as string;
      expect(
        await refusal(
          admin.prompts.partials.create({
            ...{ name: 'Too deep', slug: 'ring-deep' },
            string: `{{> ${top}}}`,
          }),
        ),
      ).toMatchObject({
        status: 400,
        message: `invalid prompt partial: string: a prompt including it would nest partials deeper than 8 levels (ring-deep → ${top} → ${[...levels].reverse().slice(0, 6).join(' → ')} → …)`,
      });

      // A ring saved before the admin API checked for one (straight into the store).
      await inStore(async (store) => {
        for (const [partial, string] of [
          [inner, `Bye. {{> ${outer}}}`],
          [outer, `Hi. {{> ${inner}}}`],
        ] as const) {
          const { latestVersion } = await store.promptPartials.update(partial, { string }, 'test');
          await store.promptPartials.publish(partial, latestVersion, 'test');
        }
      });
      // A prompt including it is refused when saved, naming the ring …
      const prompt = {
        name: 'Ring prompt',
        collection_id: 'support',
        string: JSON.stringify([{ role: 'user', content: `{{question}} {{> ${outer}}}` }]),
        parameters: {},
        model: 'gpt-4o-mini',
        virtual_key: '@openai-prod',
      };
      expect(await refusal(admin.prompts.create(prompt))).toMatchObject({
        status: 400,
        message: `invalid prompt: string: includes partials that include each other (${outer} → ${inner} → ${outer}): no run could render them`,
      });
      expect((await admin.prompts.list({ search: 'Ring prompt' })).data).toEqual([]);
      // … and one saved before the ring runs into a 400 naming it, with nothing sent.
      const created = await admin.prompts.create({
        ...prompt,
        string: JSON.stringify([{ role: 'user', content: '{{question}}' }]),
      });
      await inStore(async (store) => {
        await store.prompts.update(created.slug as string, { string: prompt.string }, 'test');
        await store.prompts.publish(created.slug as string, 2, 'test');
      });
      const sent = upstream.received.length;
      const cycle = await sdkError(
        app.prompts.completions.create({ promptID: created.slug as string, variables }),
      );
      expect({ status: cycle.status, message: cycle.message }).toMatchObject({
        status: 400,
        message: expect.stringContaining(
          `the prompt's partials include each other: ${outer} → ${inner} → ${outer}`,
        ),
      });
      expect(upstream.received.length).toBe(sent);

      // Broken by a new version of one of them, published: runs again.
      await admin.prompts.partials.update(inner, { string: 'Thanks.' });
      await admin.prompts.partials.publish(inner, { version: 3 });
      await app.prompts.completions.create({ promptID: created.slug as string, variables });
      expect(upstream.received.at(-1)?.body).toMatchObject({
        messages: [{ role: 'user', content: `${variables.question} Hi. Thanks.` }],
      });
      await admin.prompts.delete(created.slug as string);
      for (const partial of [outer, inner, loose, top, ...[...levels].reverse()]) {
        await admin.prompts.partials.delete(partial);
      }
    },
  );

  it.runIf(run)(
    'a partial that prompts include, directly or through another partial, cannot be deleted: 409 naming them, and the prompts still run',
    async () => {
      const inner = (await admin.prompts.partials.create({ name: 'Inner', string: 'Be {{tone}}.' }))
        .slug as string;
      const outer = (await admin.prompts.partials.create({ name: 'Outer', string: `{{> ${inner}}} Thanks.` }))
        .slug as string;
      const throughOuter = (
        await admin.prompts.create({
          name: 'Through a partial',
          collection_id: 'support',
          string: `{{> ${outer}}} Q: {{q}}`,
          parameters: {},
          model: 'gpt-4o-mini',
          virtual_key: 'openai-prod',
        })
      ).slug as string;
      const direct = (
        await admin.prompts.create({
          name: 'Directly',
          collection_id: 'support',
          string: JSON.stringify([{ role: 'user', content: `{{> ${inner}@1}} {{q}}` }]),
          parameters: {},
          model: 'gpt-4o-mini',
          virtual_key: 'openai-prod',
        })
      ).slug as string;

      const refusedInner = await sdkError(admin.prompts.partials.delete(inner));
      expect({ status: refusedInner.status, body: JSON.stringify(refusedInner.body) }).toMatchObject({
        status: 409,
        body: expect.stringContaining('"code":"PK_ERR_CONFLICT"'),
      });
      expect(refusedInner.message).toBe(
        `the prompt partial "${inner}" is included by the prompts ${[direct, throughOuter]
          .sort()
          .map((name) => `"${name}"`)
          .join(', ')} (through the prompt partial "${outer}"): change or delete them first`,
      );
      const refusedOuter = await sdkError(admin.prompts.partials.delete(outer));
      expect({ status: refusedOuter.status, message: refusedOuter.message }).toEqual({
        status: 409,
        message: `the prompt partial "${outer}" is included by the prompt "${throughOuter}": change or delete it first`,
      });
      // Both partials are still there: every prompt runs as before.
      await app.prompts.completions.create({
        promptID: throughOuter,
        variables: { tone: 'brief', q: 'why' },
      });
      expect(upstream.received.at(-1)?.body).toMatchObject({
        messages: [{ role: 'user', content: 'Be brief. Thanks. Q: why' }],
      });
      await app.prompts.completions.create({ promptID: direct, variables: { tone: 'kind', q: 'how' } });
      expect(upstream.received.at(-1)?.body).toMatchObject({
        messages: [{ role: 'user', content: 'Be kind. how' }],
      });

      // A new version without it holds it until it is published (version 1 is then neither published nor latest).
      await admin.prompts.update(throughOuter, { string: 'Q: {{q}}' });
      expect((await sdkError(admin.prompts.partials.delete(outer))).status).toBe(409);
      await admin.prompts.publish(throughOuter, { version: 2 });
      await admin.prompts.partials.delete(outer);
      // `direct` still includes the inner one.
      expect((await sdkError(admin.prompts.partials.delete(inner))).status).toBe(409);
      await admin.prompts.delete(direct);
      await admin.prompts.partials.delete(inner);
      const left = (await admin.prompts.partials.list()).data as { slug: string }[];
      expect(left.map((partial) => partial.slug).filter((slug) => slug === inner || slug === outer)).toEqual(
        [],
      );
      await admin.prompts.delete(throughOuter);
    },
  );

  it.runIf(run)(
    'a prompt, or a new version of it, naming a virtual key that does not exist is refused with a 400, as a saved config is',
    async () => {
      const body = {
        name: 'Missing key',
        collection_id: 'support',
        string: 'Hi {{name}}',
        parameters: {},
        model: 'gpt-4o-mini',
      };
      const refused = await sdkError(admin.prompts.create({ ...body, virtual_key: 'no-such-key' }));
      expect({
        status: refused.status,
        message: refused.message,
        body: JSON.stringify(refused.body),
      }).toEqual({
        status: 400,
        message: 'invalid prompt: virtual_key: no virtual key has the id "no-such-key"',
        body: expect.stringContaining('"code":"PK_ERR_INVALID_REQUEST"'),
      });
      expect((await admin.prompts.list({ search: 'Missing key' })).data).toEqual([]);

      // The model catalog's spelling of an existing key is fine; a new version naming a missing one is not.
      const created = await admin.prompts.create({ ...body, virtual_key: '@openai-prod' });
      const updated = await sdkError(
        admin.prompts.update(created.slug as string, { virtual_key: 'no-such-key' }),
      );
      expect({ status: updated.status, message: updated.message }).toMatchObject({
        status: 400,
        message: expect.stringContaining('no virtual key has the id'),
      });
      expect((await admin.prompts.versions.list(created.slug as string)).data).toHaveLength(1);
      const completion = await app.prompts.completions.create({
        promptID: created.slug as string,
        variables: { name: 'Ann' },
      });
      expect(completion.choices?.[0]?.message?.content).toBe('The capital of France is Paris.');
      await admin.prompts.delete(created.slug as string);
    },
  );

  it.runIf(run)(
    'a prompt or partial, or a new version of it, including a partial that does not exist, directly or through another, is refused with a 400 naming it',
    async () => {
      const refusal = async (promise: Promise<unknown>) => {
        const error = await sdkError(promise);
        return { status: error.status, message: error.message, body: JSON.stringify(error.body) };
      };
      const prompt = (string: string) => ({
        name: 'Missing partial',
        collection_id: 'support',
        string,
        parameters: {},
        model: 'gpt-4o-mini',
        virtual_key: '@openai-prod',
      });
      expect(
        await refusal(
          admin.prompts.create(
            prompt(JSON.stringify([{ role: 'user', content: '{{q}} {{> no-such-partial}}' }])),
          ),
        ),
      ).toEqual({
        status: 400,
        message: 'invalid prompt: string: includes the partial "no-such-partial", which does not exist',
        body: expect.stringContaining('"code":"PK_ERR_INVALID_REQUEST"'),
      });
      expect((await admin.prompts.list({ search: 'Missing partial' })).data).toEqual([]);

      // A partial including a missing one is refused too, at create and at a new version.
      expect(
        await refusal(admin.prompts.partials.create({ name: 'Broken', string: 'Hi {{> no-such-partial}}' })),
      ).toMatchObject({
        status: 400,
        message:
          'invalid prompt partial: string: includes the partial "no-such-partial", which does not exist',
      });
      const outer = (await admin.prompts.partials.create({ name: 'Fine outer', string: 'Thanks.' }))
        .slug as string;
      expect(
        await refusal(admin.prompts.partials.update(outer, { string: 'Thanks. {{> no-such-partial@2}}' })),
      ).toMatchObject({
        status: 400,
        message:
          'invalid prompt partial: string: includes the partial "no-such-partial@2", which does not exist',
      });
      expect((await admin.prompts.partials.versions.list(outer)).data).toHaveLength(1);

      // Through another partial: `middle` includes `leaf`, deleted while no prompt ran it.
      const leaf = (await admin.prompts.partials.create({ name: 'Leaf', string: 'Bye.' })).slug as string;
      const middle = (await admin.prompts.partials.create({ name: 'Middle', string: `{{> ${leaf}}}` }))
        .slug as string;
      await admin.prompts.partials.delete(leaf);
      const through = `invalid prompt: string: includes the partial "${middle}", which includes the partial "${leaf}", which does not exist`;
      expect(await refusal(admin.prompts.create(prompt(`{{q}} {{> ${middle}}}`)))).toMatchObject({
        status: 400,
        message: through,
      });

      // A prompt whose partials exist is created; a new version reaching the missing one is not.
      const created = await admin.prompts.create(prompt(`{{q}} {{> ${outer}}}`));
      expect(
        await refusal(admin.prompts.update(created.slug as string, { string: `{{q}} {{> ${middle}}}` })),
      ).toMatchObject({ status: 400, message: through });
      expect((await admin.prompts.versions.list(created.slug as string)).data).toHaveLength(1);
      const completion = await app.prompts.completions.create({
        promptID: created.slug as string,
        variables: { q: 'Q?' },
      });
      expect(completion.choices?.[0]?.message?.content).toBe('The capital of France is Paris.');
      expect(upstream.received.at(-1)?.body).toMatchObject({
        messages: [{ role: 'user', content: 'Q? Thanks.' }],
      });
      await admin.prompts.delete(created.slug as string);
      for (const partial of [middle, outer]) await admin.prompts.partials.delete(partial);
    },
  );

  it.runIf(run && engine === 'postgres')(
    'with the database down, a prompt run answers 503 PK_ERR_STORE_UNAVAILABLE and sends nothing, while chats go on; back again without a restart',
    async () => {
      const sent = upstream.received.length;
      running?.setup.proxy?.cut();
      try {
        const refused = await sdkError(app.prompts.completions.create({ promptID: slug, variables }));
        expect({ status: refused.status, message: refused.message }).toMatchObject({
          status: 503,
          message: expect.stringContaining('PK_ERR_STORE_UNAVAILABLE'),
        });
        expect(upstream.received.length).toBe(sent);
        const chat = await app.chat.completions.create({
          model: '@openai-prod/gpt-4o-mini',
          messages: [{ role: 'user', content: 'What is the capital of France?' }],
        });
        expect(chat.choices?.[0]?.message?.content).toBe('The capital of France is Paris.');
      } finally {
        running?.setup.proxy?.restore();
      }
      await vi.waitFor(
        async () => {
          const completion = await app.prompts.completions.create({ promptID: slug, variables });
          expect(completion.choices?.[0]?.message?.content).toBe('The capital of France is Paris.');
        },
        { timeout: 10_000, interval: 250 },
      );
    },
  );

  it.runIf(run)(
    'variables named like Object.prototype’s members, and values holding such keys, render as sent, not a 500',
    async () => {
      const hostile = await admin.prompts.create({
        name: 'Hostile names',
        collection_id: 'support',
        string: JSON.stringify([
          { role: 'system', content: '{{toString}} {{constructor}} {{{hasOwnProperty}}} {{&valueOf}}' },
          { role: 'user', content: '{{value}}|{{#list}}({{.}}){{/list}}|{{value.toString}}|{{.}}' },
        ]),
        parameters: {},
        model: 'gpt-4o-mini',
        virtual_key: 'openai-prod',
      });
      const promptID = hostile.slug as string;
      const own = { toString: 'x', valueOf: 'y' };
      const asked = {
        toString: 'T',
        constructor: 'C',
        hasOwnProperty: 'H',
        valueOf: 'V',
        value: own,
        list: [own, 2],
      } as unknown as Record<string, string>;
      const expected = [
        { role: 'system', content: 'T C H V' },
        { role: 'user', content: '[object Object]|([object Object])(2)|x|[object Object]' },
      ];
      const completion = await app.prompts.completions.create({ promptID, variables: asked });
      expect(completion.choices?.[0]?.message?.content).toBe('The capital of France is Paris.');
      expect(upstream.received.at(-1)?.body).toMatchObject({ messages: expected });
      expect(await app.prompts.render({ promptID, variables: asked })).toMatchObject({
        data: { messages: expected },
      });
      // A `__proto__` key (or `constructor.prototype`) is refused before anything runs, with a 400
      // that says where it is.
      const sent = upstream.received.length;
      for (const [body, where] of [
        ['{"variables":{"__proto__":{"toString":"x"}}}', 'variables.__proto__'],
        ['{"variables":{"constructor":{"prototype":"x"}}}', 'variables.constructor.prototype'],
      ] as const) {
        const refused = await fetch(`${gateway.url}/v1/prompts/${promptID}/completions`, {
          method: 'POST',
          headers: { 'x-portkey-api-key': running?.userKey ?? '', 'content-type': 'application/json' },
          body,
        });
        expect(refused.status).toBe(400);
        expect(((await refused.json()) as { error: { message: string } }).error.message).toBe(
          `the request body has the key ${where}, which is refused (it would change what an object inherits): rename it`,
        );
      }
      expect(upstream.received.length).toBe(sent);
    },
  );

  it.runIf(run)('refuses what it cannot run with a clear error, and sends nothing', async () => {
    const sent = upstream.received.length;
    const unknown = await sdkError(app.prompts.completions.create({ promptID: 'pp-nope', variables }));
    // The SDK's message for an inference route is OpenAI's error envelope as text.
    expect({ status: unknown.status, message: unknown.message }).toMatchObject({
      status: 404,
      message: expect.stringMatching(/no prompt \(or version\) \\"pp-nope\\".*PK_ERR_RECORD_NOT_FOUND/),
    });
    const noVersion = await sdkError(app.prompts.completions.create({ promptID: `${slug}@9`, variables }));
    expect(noVersion.status).toBe(404);
    const badVariables = await sdkError(
      app.prompts.completions.create({ promptID: slug, variables: 'x' as unknown as Record<string, string> }),
    );
    expect({ status: badVariables.status, message: badVariables.message }).toMatchObject({
      status: 400,
      message: expect.stringContaining('variables: expected an object'),
    });
    const noModel = await admin.prompts.create({
      name: 'No model',
      collection_id: 'support',
      string: 'Hello',
      parameters: {},
    });
    const modelless = await sdkError(app.prompts.completions.create({ promptID: noModel.slug as string }));
    expect({ status: modelless.status, message: modelless.message }).toMatchObject({
      status: 400,
      message: expect.stringContaining('the prompt has no model'),
    });
    // Variables that could make the rendered text larger than 16 Mi characters are refused before
    // rendering: sections nested over one list multiply (300³ × 10 characters), a long value repeats
    // in a section (200 × 100 KB). Quickly, and without the gateway's memory growing.
    const rssBefore = residentMiB(gateway.child.pid);
    for (const [name, string, bigVariables] of [
      [
        'Nested',
        '{{#a}}{{#a}}{{#a}}xxxxxxxxxx{{/a}}{{/a}}{{/a}}',
        { a: Array.from({ length: 300 }, (_, index) => index) },
      ],
      [
        'Repeated',
        'Items:{{#items}}- {{.}} ({{context}})\n{{/items}}',
        { items: Array.from({ length: 200 }, (_, index) => `item ${index}`), context: 'c'.repeat(100_000) },
      ],
    ] as const) {
      const big = await admin.prompts.create({
        name,
        collection_id: 'support',
        string,
        parameters: {},
        model: 'gpt-4o-mini',
        virtual_key: 'openai-prod',
      });
      const promptID = big.slug as string;
      const asked = bigVariables as unknown as Record<string, string>;
      for (const call of [
        () => app.prompts.render({ promptID, variables: asked }),
        () => app.prompts.completions.create({ promptID, variables: asked }),
      ]) {
        const started = performance.now();
        const amplified = await sdkError(call());
        expect(performance.now() - started, name).toBeLessThan(500);
        expect({ status: amplified.status, message: amplified.message }).toMatchObject({
          status: 400,
          message: expect.stringMatching(
            /variables: this prompt could render \d+ characters with them, more than 16777216/,
          ),
        });
      }
    }
    const rssAfter = residentMiB(gateway.child.pid);
    if (rssBefore !== undefined && rssAfter !== undefined) expect(rssAfter - rssBefore).toBeLessThan(64);
    expect(upstream.received.length).toBe(sent);

    // A key limited to other virtual keys cannot reach the prompt's through it.
    await admin.providers.create({ name: 'Team B', integration_id: 'openai-prod', slug: 'team-b' });
    const limited = await admin.apiKeys.create({
      type: 'workspace',
      'sub-type': 'service',
      name: 'limited',
      workspace_id: 'app',
      virtual_keys: ['team-b'],
    } as unknown as Parameters<typeof admin.apiKeys.create>[0]);
    const limitedApp = new Portkey({ apiKey: limited.key as string });
    await vi.waitFor(
      async () => {
        const forbidden = await sdkError(
          limitedApp.prompts.completions.create({ promptID: slug, variables }),
        );
        expect({ status: forbidden.status, message: forbidden.message }).toMatchObject({
          status: 403,
          message: expect.stringContaining('may not use the virtual key'),
        });
      },
      { timeout: 3000, interval: 100 },
    );
    expect(upstream.received.length).toBe(sent);

    // Managing prompts takes an admin key; a create without its template names the field.
    const asUser = await sdkError(
      app.prompts.create({ name: 'x', collection_id: 'c', string: 'x', parameters: {} }),
    );
    expect(asUser.status).toBe(403);
    const noString = await sdkError(
      admin.prompts.create({ name: 'x', collection_id: 'c', parameters: {} } as unknown as Parameters<
        typeof admin.prompts.create
      >[0]),
    );
    expect({ status: noString.status, message: noString.message }).toMatchObject({
      status: 400,
      message: expect.stringContaining('string'),
    });
    // A label for a version of a prompt that does not exist.
    const labels = await fetch(`${gateway.url}/v1/prompts/some-prompt/versions/v-1`, {
      method: 'PUT',
      headers: { 'x-portkey-api-key': running?.adminKey ?? '', 'content-type': 'application/json' },
      body: JSON.stringify({ label_id: 'production' }),
    });
    expect(labels.status).toBe(404);
  });

  it.runIf(run)(
    'a new version without a description has none; its other fields are the latest version’s',
    async () => {
      const created = await admin.prompts.create({
        name: 'Greeting',
        collection_id: 'support',
        string: 'Hi {{name}}',
        parameters: { temperature: 0.5 },
        model: 'gpt-4o-mini',
        virtual_key: 'openai-prod',
        version_description: 'v1',
      });
      const greeting = created.slug as string;
      expect(await admin.prompts.update(greeting, { string: 'Yo {{name}}' })).toMatchObject({
        prompt_version: 2,
      });
      const versions = (await admin.prompts.versions.list(greeting)).data as {
        prompt_version: number;
        prompt_version_description: string | null;
        string: string;
        model: string;
        parameters: Record<string, unknown>;
      }[];
      expect(versions.map((version) => [version.prompt_version, version.prompt_version_description])).toEqual(
        [
          [2, null],
          [1, 'v1'],
        ],
      );
      expect(versions[0]).toMatchObject({
        string: 'Yo {{name}}',
        model: 'gpt-4o-mini',
        parameters: { temperature: 0.5 },
      });
      await admin.prompts.delete(greeting);
    },
  );
});
