import { isRecord } from '../is-record.js';

/**
 * The most prompt tokens one image costs on the model families whose documented figure exceeds the
 * default: OpenAI bills high detail as a base plus a count per 512-px tile (at most 2 × 4 tiles once
 * scaled into 2048 × 2048 and to a 768-px short side), or per 32-px patch (at most 1,536) times a
 * model multiplier (https://platform.openai.com/docs/guides/images-vision#calculating-costs).
 * Checked in order: the first pattern that matches the model wins.
 */
const IMAGE_TOKENS_BY_MODEL: ReadonlyArray<readonly [RegExp, number]> = [
  // gpt-4o-mini: 2,833 base + 5,667 per tile × 8 tiles (the price of a gpt-4o image).
  [/gpt-4o-mini/, 2_833 + 5_667 * 8],
  // Patch models: 1,536 patches × 2.46 (gpt-4.1-nano, gpt-5-nano), × 1.72 (o4-mini), × 1.62 (gpt-4.1-mini, gpt-5-mini).
  [/gpt-(?:4\.1|5)-nano/, Math.ceil(1_536 * 2.46)],
  [/o4-mini/, Math.ceil(1_536 * 1.72)],
  [/gpt-(?:4\.1|5)-mini/, Math.ceil(1_536 * 1.62)],
];

/**
 * The most prompt tokens one image costs on any other model: Anthropic's largest image (its tokens are
 * width × height / 750, and it scales an image down to about 1.15 megapixels, ~1,600 tokens), which is
 * above OpenAI's gpt-4o high detail (85 + 170 × 8 = 1,445) and Gemini's 258 per 768-px tile up to six
 * tiles.
 */
export const DEFAULT_IMAGE_TOKENS = 1_600;

/**
 * The most prompt tokens one file (a PDF) costs: the 100 pages Anthropic and OpenAI accept in a request,
 * each read as text (Anthropic counts 1,500 to 3,000 tokens of text a page) and as an image of the page
 * (~1,600): 100 × (3,000 + 1,600).
 */
export const FILE_TOKENS = 100 * (3_000 + 1_600);

/** Content part types by what they carry: images and files are billed by their pixels and pages, not their bytes. */
const IMAGE_PART_TYPES: ReadonlySet<string> = new Set(['image_url', 'image', 'input_image']);
const FILE_PART_TYPES: ReadonlySet<string> = new Set(['file', 'document', 'input_file']);

/** The most prompt tokens one image costs on `model` (the default when the model is unknown). */
export function imageTokensOf(model: unknown): number {
  if (typeof model === 'string')
    for (const [pattern, tokens] of IMAGE_TOKENS_BY_MODEL) if (pattern.test(model)) return tokens;
  return DEFAULT_IMAGE_TOKENS;
}

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '');
}

/**
 * Prompt tokens to add to a bound that counted every image and file part of `body` by its JSON bytes,
 * so that each part counts at least its documented worst case ({@link imageTokensOf} for the body's
 * model, {@link FILE_TOKENS}). `body` is what a target sends, its `override_params` over the client's
 * (`leaf-bounds.ts`): the model billed for an image is the one called. A part's bytes do not bound its tokens: an image sent by URL is a few
 * dozen bytes, and a small PNG of a large plain picture is billed by its pixels. Audio parts need
 * nothing: OpenAI bills ~10 tokens per second of audio, and every format it takes (wav, mp3) sends
 * more than a thousand bytes of base64 per second. Parts are found at any depth (chat messages,
 * Anthropic tool results, Responses `input`).
 */
export function mediaTopUpOf(body: Readonly<Record<string, unknown>>): number {
  const imageTokens = imageTokensOf(body.model);
  let topUp = 0;
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (!isRecord(value)) return;
    const type = value.type;
    const worstCase =
      typeof type !== 'string'
        ? undefined
        : IMAGE_PART_TYPES.has(type)
          ? imageTokens
          : FILE_PART_TYPES.has(type)
            ? FILE_TOKENS
            : undefined;
    if (worstCase !== undefined) {
      topUp += Math.max(0, worstCase - jsonBytes(value));
      return;
    }
    for (const field of Object.values(value)) visit(field);
  };
  visit(body.messages);
  visit(body.input);
  visit(body.system);
  return topUp;
}
