import { PkError } from '@pk/config';
import { describe, expect, it } from 'vitest';
import { preparedChat, testContext } from '../test-support/context.js';
import { readJsonFixture } from '../test-support/fixtures.js';
import { toVertexAIRequest } from '../vertex-ai/request.js';
import { toGoogleRequest } from './request.js';
import { toGoogleSchema } from './schema.js';

const pydantic = readJsonFixture('google', 'pydantic-schema.json');

/** What Gemini's Schema subset can take of the Pydantic schema. */
const PERSON_FOR_GEMINI = {
  properties: {
    name: { title: 'Name', type: 'string' },
    age: { type: 'integer', default: null, title: 'Age', nullable: true },
    kind: { enum: ['person'], default: 'person', title: 'Kind', type: 'string' },
    score: { title: 'Score', type: 'number' },
    address: {
      properties: {
        street: { title: 'Street', type: 'string' },
        city: { title: 'City', type: 'string' },
      },
      required: ['street', 'city'],
      title: 'Address',
      type: 'object',
    },
  },
  required: ['name', 'score', 'address'],
  title: 'Person',
  type: 'object',
};

const send = (body: Record<string, unknown>) => {
  const built = toGoogleRequest(
    preparedChat('google', {
      model: 'gemini-2.0-flash',
      messages: [{ role: 'user', content: 'x' }],
      ...body,
    }),
    testContext('google', { provider: 'google', api_key: 'g' }),
  );
  return {
    warnings: built.warnings,
    body: JSON.parse(String(built.upstream.body)) as Record<string, unknown>,
  };
};
const convert = (schema: unknown) => {
  const warnings: string[] = [];
  return { schema: toGoogleSchema(schema, { warnings, provider: 'google', param: 'p' }), warnings };
};

describe('toGoogleSchema (JSON Schema → Gemini’s OpenAPI Schema subset)', () => {
  it('converts a Pydantic schema in response_format: $ref inlined, Optional nullable, const as enum, the rest listed', () => {
    const { body, warnings } = send({
      response_format: { type: 'json_schema', json_schema: { name: 'person', schema: pydantic } },
    });
    expect(body.generationConfig).toEqual({
      responseMimeType: 'application/json',
      responseSchema: PERSON_FOR_GEMINI,
    });
    expect(warnings).toEqual([
      'schema keywords not supported by google were dropped from response_format.json_schema.schema: exclusiveMinimum',
    ]);
  });

  it('converts the same schema as function parameters, naming the tool in the warning', () => {
    const { body, warnings } = send({
      tools: [{ type: 'function', function: { name: 'save_person', parameters: pydantic } }],
    });
    expect(body.tools).toEqual([
      { functionDeclarations: [{ name: 'save_person', parameters: PERSON_FOR_GEMINI }] },
    ]);
    expect(warnings).toEqual([
      'schema keywords not supported by google were dropped from tools.0.function.parameters: exclusiveMinimum',
    ]);
  });

  it('does the same for Gemini on Vertex AI, naming vertex-ai', () => {
    const built = toVertexAIRequest(
      preparedChat('vertex-ai', {
        model: 'gemini-2.0-flash',
        messages: [{ role: 'user', content: 'x' }],
        response_format: { type: 'json_schema', json_schema: { name: 'person', schema: pydantic } },
      }),
      testContext('vertex-ai', {
        provider: 'vertex-ai',
        api_key: 'ya29.t',
        vertex_project_id: 'my-project-1',
        vertex_region: 'us-central1',
      }),
    );
    const body = JSON.parse(String(built.upstream.body)) as { generationConfig: Record<string, unknown> };
    expect(body.generationConfig.responseSchema).toEqual(PERSON_FOR_GEMINI);
    expect(built.warnings).toEqual([
      'schema keywords not supported by vertex-ai were dropped from response_format.json_schema.schema: exclusiveMinimum',
    ]);
  });

  it('turns type arrays and null members into nullable, oneOf into anyOf, and keeps real unions', () => {
    expect(
      convert({
        type: 'object',
        properties: {
          count: { type: ['integer', 'null'] },
          tag: { oneOf: [{ type: 'string' }, { type: 'integer' }] },
          either: { anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'null' }] },
          mood: { type: ['string', 'null'], enum: ['happy', 'sad', null] },
        },
      }),
    ).toEqual({
      schema: {
        type: 'object',
        properties: {
          count: { type: 'integer', nullable: true },
          tag: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
          either: { anyOf: [{ type: 'string' }, { type: 'number' }], nullable: true },
          mood: { type: 'string', enum: ['happy', 'sad'], nullable: true },
        },
      },
      warnings: [],
    });
  });

  it('leaves a schema already in the subset unchanged, dropping OpenAI’s strict markers silently as before', () => {
    const valid = {
      type: 'object',
      properties: {
        location: { type: 'string', description: 'City, e.g. San Francisco' },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
        days: { type: 'array', items: { type: 'integer', minimum: 1 }, maxItems: 7 },
      },
      required: ['location'],
    };
    expect(
      convert({ ...valid, additionalProperties: false, $schema: 'http://json-schema.org/draft-07/schema#' }),
    ).toEqual({
      schema: valid,
      warnings: [],
    });
  });

  it('refuses a recursive $ref with a 400 naming the field (the subset cannot express it)', () => {
    const tree = {
      $defs: {
        Node: {
          type: 'object',
          properties: { children: { type: 'array', items: { $ref: '#/$defs/Node' } } },
        },
      },
      $ref: '#/$defs/Node',
    };
    const run = () =>
      send({ response_format: { type: 'json_schema', json_schema: { name: 'tree', schema: tree } } });
    expect(run).toThrow(PkError);
    expect(run).toThrow(
      "response_format.json_schema.schema: recursive $ref '#/$defs/Node' cannot be expressed in google's schema",
    );
  });

  it('drops the formats the Gemini API refuses (Pydantic’s email, an MCP tool’s uri) and keeps the ones it takes', () => {
    const schema = {
      type: 'object',
      properties: {
        email: { type: 'string', format: 'email' },
        homepage: { type: ['string', 'null'], format: 'uri' },
        born: { type: 'string', format: 'date-time' },
        ratio: { type: 'number', format: 'double' },
        count: { type: 'integer', format: 'int64' },
        id: { type: 'string', format: 'uuid' },
      },
    };
    expect(convert(schema)).toEqual({
      schema: {
        type: 'object',
        properties: {
          email: { type: 'string' },
          homepage: { type: 'string', nullable: true },
          born: { type: 'string', format: 'date-time' },
          ratio: { type: 'number', format: 'double' },
          count: { type: 'integer', format: 'int64' },
          id: { type: 'string' },
        },
      },
      warnings: [
        "schema keywords not supported by google were dropped from p: format 'email', format 'uri', format 'uuid'",
      ],
    });
    const warnings: string[] = [];
    expect(toGoogleSchema(schema, { warnings, provider: 'vertex-ai', param: 'p' })).toEqual({
      ...schema,
      properties: { ...schema.properties, homepage: { type: 'string', format: 'uri', nullable: true } },
    });
    expect(warnings).toEqual([]);
  });

  it('refuses a $ref that is not a local definition', () => {
    expect(() => convert({ $ref: 'https://example.com/person.json' })).toThrow(
      "p: $ref 'https://example.com/person.json' is not a local definition ($defs or definitions) to inline",
    );
  });
});
