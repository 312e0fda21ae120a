/**
 * The gateway URL pk's clients use by default: a pk gateway on this machine (`pnpm start`, port
 * 8787). The official SDK's constant is Portkey's hosted `https://api.portkey.ai/v1`; pk is
 * self-hosted, so its constant points at the local gateway.
 */
export const PORTKEY_GATEWAY_URL = 'http://localhost:8787/v1';

/** Sent to openai as its `apiKey` when there is no Portkey key; pk removes it before sending. */
export const NO_KEY_PLACEHOLDER = 'pk-no-key';
