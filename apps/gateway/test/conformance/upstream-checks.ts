import { expect } from 'vitest';
import type { MockWireFormat, ReceivedRequest } from '../support/provider-mock.js';
import type { DialectId, Family } from './families.js';

/** How each wire format carries an offered `get_weather` tool. */
const TOOLS: Readonly<Partial<Record<MockWireFormat, RegExp>>> = {
  'openai-chat': /"tools":\[\{"type":"function","function":\{"name":"get_weather"/,
  'openai-responses': /"tools":\[\{"type":"function","name":"get_weather"/,
  anthropic: /"tools":\[\{"name":"get_weather",.*"input_schema":/,
  'bedrock-claude': /"tools":\[\{"name":"get_weather",.*"input_schema":/,
  gemini: /"functionDeclarations":\[\{"name":"get_weather"/,
  'bedrock-converse': /"toolSpec":\{"name":"get_weather"/,
  cohere: /"tools":\[\{"type":"function","function":\{"name":"get_weather"/,
};

/** How each wire format carries a base64 PNG. */
const IMAGES: Readonly<Partial<Record<MockWireFormat, RegExp>>> = {
  'openai-chat': /"image_url":\{"url":"data:image\/png;base64,/,
  'openai-responses': /"type":"input_image".*"image_url":"data:image\/png;base64,/,
  anthropic: /"type":"image","source":\{"type":"base64","media_type":"image\/png","data":"/,
  'bedrock-claude': /"type":"image","source":\{"type":"base64","media_type":"image\/png","data":"/,
  gemini: /"inlineData":\{"mimeType":"image\/png","data":"/,
  'bedrock-converse': /"image":\{"format":"png","source":\{"bytes":"/,
  cohere: /"image_url":\{"url":"data:image\/png;base64,/,
};

/** How each wire format asks for JSON (pk's forced `json_response` tool where the API has no JSON mode). */
const JSON_MODE: Readonly<Partial<Record<MockWireFormat, RegExp>>> = {
  'openai-chat': /"response_format":\{"type":"json_schema"/,
  'openai-responses': /"text":\{"format":\{"type":"json_schema"/,
  anthropic: /"output_config":\{"format":\{"type":"json_schema"|"name":"json_response"/,
  'bedrock-claude': /"output_config":\{"format":\{"type":"json_schema"/,
  gemini: /"responseMimeType":"application\/json"/,
  'bedrock-converse': /"toolSpec":\{"name":"json_response"/,
  cohere: /"response_format":\{"type":"json_object"/,
};

/** The last request the mock received: in the family's wire format for this dialect, with its auth. */
export function expectUpstream(
  received: readonly ReceivedRequest[],
  family: Family,
  dialect: DialectId,
  options: { readonly stream?: boolean } = {},
): ReceivedRequest {
  const request = received.at(-1);
  if (request === undefined) throw new Error('the mock received nothing');
  expect(request.format).toBe(family.formats[dialect]);
  const [header, check] = family.auth;
  expect(check(String(request.headers[header] ?? '')), `${header}: ${String(request.headers[header])}`).toBe(
    true,
  );
  if (options.stream !== undefined) expect(request.stream).toBe(options.stream);
  return request;
}

/** The request offered the weather tool in its own format. */
export function expectToolsOffered(request: ReceivedRequest): void {
  expect(request.text).toMatch(TOOLS[request.format] ?? /^$/);
}

/** The request carried the PNG in its own format. */
export function expectImageSent(request: ReceivedRequest): void {
  expect(request.text).toMatch(IMAGES[request.format] ?? /^$/);
}

/** The request asked for JSON in its own format. */
export function expectJsonAsked(request: ReceivedRequest): void {
  expect(request.text).toMatch(JSON_MODE[request.format] ?? /^$/);
}
