import { Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminGateway, sdkError, startAdminGateway } from './support/admin-harness.js';

// Portkey's feedback calls through the official SDK: a data-plane call, open to any key, each piece
// of feedback kept under the caller's tenant.
let admin: AdminGateway;

beforeAll(async () => {
  admin = await startAdminGateway();
});

afterAll(async () => {
  await admin?.close();
});

/** The ids Portkey answers with (`feedback_ids`; the SDK's types misspell it `feedback_id`). */
const idsOf = (response: object): string[] => (response as { feedback_ids: string[] }).feedback_ids;

const asUser = (options: Record<string, unknown> = {}) =>
  new Portkey({ apiKey: admin.userKey, baseURL: admin.baseURL, ...options });

describe('feedback through the portkey-ai SDK', () => {
  it('saves feedback from a user key under its tenant, with Portkey’s rules for weight and metadata', async () => {
    const saved = await asUser({ config: 'pc-ignored', traceID: 'sticky-trace' }).feedback.create({
      traceID: 'trace-1',
      value: 5,
      weight: 7,
      metadata: { user: 'ada', nested: { a: 1 }, long: 'x'.repeat(200) },
    });
    expect(saved).toMatchObject({
      status: 'success',
      message: 'Feedback successfully saved',
      feedback_ids: [expect.stringMatching(/^[0-9a-f-]{36}$/)],
    });
    const [stored] = await admin.store.feedback.listByTrace('trace-1');
    expect(stored).toMatchObject({
      tenant: 'team-u',
      gatewayKeyId: 'user-1',
      value: 5,
      weight: 1,
      metadata: { user: 'ada', nested: '{"a":1}', long: 'x'.repeat(128) },
    });

    const updated = await asUser().feedback.update({
      feedbackID: idsOf(saved)[0] as string,
      value: -3,
      weight: 0.5,
    } as never);
    expect(updated).toMatchObject({
      message: 'Feedback successfully updated',
      feedback_ids: idsOf(saved),
    });
    const [after] = await admin.store.feedback.listByTrace('trace-1');
    expect(after).toMatchObject({ value: -3, weight: 0.5, metadata: stored?.metadata });
  });

  it('takes several at once: a JSON array, and the object the SDK makes of an array', async () => {
    const viaSdk = await asUser().feedback.create([
      { traceID: 'trace-a', value: 1 },
      { traceID: 'trace-b', value: 2 },
    ]);
    expect(idsOf(viaSdk)).toHaveLength(2);
    const raw = await admin.call('POST', '/feedback', {
      key: admin.userKey,
      body: [
        { trace_id: 'trace-c', value: 3 },
        { trace_id: 'trace-d', value: 4 },
      ],
    });
    expect(raw.body.feedback_ids).toHaveLength(2);
    expect((await admin.store.feedback.listByTrace('trace-b', 'team-u'))[0]?.value).toBe(2);
    expect((await admin.store.feedback.listByTrace('trace-d', 'team-u'))[0]?.value).toBe(4);
  });

  it('refuses what Portkey refuses, with a readable message, and keeps tenants apart', async () => {
    const outOfRange = await sdkError(asUser().feedback.create({ traceID: 't', value: 11 }));
    expect(outOfRange).toMatchObject({ status: 400, name: 'BadRequestError' });
    expect(outOfRange.message).toContain('value');
    const noTrace = await sdkError(asUser().feedback.create({ value: 1 }));
    expect(noTrace.message).toBe('trace_id is required');
    const noValue = await sdkError(asUser().feedback.create([{ traceID: 'a', value: 1 }, { traceID: 'b' }]));
    expect(noValue.message).toBe('feedback 1: value is required');

    // The admin key's tenant is another one: it cannot change the user's feedback.
    const saved = await asUser().feedback.create({ traceID: 'trace-private', value: 1 });
    const elsewhere = await sdkError(
      admin.portkey().feedback.update({ feedbackID: idsOf(saved)[0] as string, value: 2 } as never),
    );
    expect(elsewhere).toMatchObject({ status: 404, name: 'NotFoundError' });
    const missing = await sdkError(asUser().feedback.update({ feedbackID: 'no-such-id', value: 2 } as never));
    expect(missing.status).toBe(404);
  });

  it('refuses a field it does not know (a typo would be lost), and a change of trace', async () => {
    const typo = await sdkError(
      asUser().feedback.create({ traceID: 't', value: 1, metdata: { a: 'b' } } as never),
    );
    expect(typo).toMatchObject({ status: 400, message: 'feedback: unknown field "metdata"' });
    const saved = await asUser().feedback.create({ traceID: 'trace-kept', value: 1 });
    const id = idsOf(saved)[0] as string;
    const moved = await sdkError(
      asUser().feedback.update({ feedbackID: id, value: 2, traceID: 'other' } as never),
    );
    expect(moved).toMatchObject({ status: 400 });
    expect(moved.message).toContain('trace_id cannot be changed');
    const extra = await sdkError(asUser().feedback.update({ feedbackID: id, value: 2, bogus: 1 } as never));
    expect(extra).toMatchObject({ status: 400, message: 'feedback: unknown field "bogus"' });
    // What the SDK sends for a change (the id beside the value) is taken.
    const updated = await asUser().feedback.update({ feedbackID: id, value: 3, weight: 0.5 } as never);
    expect(idsOf(updated)).toEqual([id]);
  });
});
