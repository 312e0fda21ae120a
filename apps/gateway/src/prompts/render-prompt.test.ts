import { PkError } from '@pk/config';
import { describe, expect, it } from 'vitest';
import { loadPartials } from './load-partials.js';
import { promptChatBody, routedPromptModel } from './prompt-chat-body.js';
import {
  checkPromptRenderSize,
  MAX_RENDERED_CHARS,
  renderPromptMessages,
  templateTexts,
  variablesOf,
} from './render-prompt.js';
import { renderSizeBound } from './render-size-bound.js';

const version = {
  template: JSON.stringify([
    { role: 'system', content: 'You answer for {{company}}.' },
    {
      role: 'user',
      content: [
        { type: 'text', text: 'Question: {{question}}' },
        { type: 'image_url', image_url: { url: 'https://x/{{a}}' } },
      ],
    },
  ]),
  parameters: { temperature: 0.2, max_tokens: 100 },
  model: 'gpt-4o-mini',
  virtualKey: 'openai-prod',
  functions: null,
  tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }],
  toolChoice: 'auto',
};

describe('renderPromptMessages', () => {
  it('fills in each message of a messages template, text parts only, without HTML escaping', () => {
    expect(
      renderPromptMessages(version.template, { company: 'A & <B>', question: '"why?"', a: 'no' }),
    ).toEqual([
      { role: 'system', content: 'You answer for A & <B>.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Question: "why?"' },
          { type: 'image_url', image_url: { url: 'https://x/{{a}}' } },
        ],
      },
    ]);
  });

  it('makes one user message of a plain text template, with sections and missing variables as Mustache does', () => {
    expect(
      renderPromptMessages('Hi {{name}}.{{#items}} - {{.}}{{/items}}{{missing}}', {
        name: 'Ann',
        items: ['a', 'b'],
      }),
    ).toEqual([{ role: 'user', content: 'Hi Ann. - a - b' }]);
    // JSON that is not a list of messages is text.
    expect(renderPromptMessages('[1, 2] {{x}}', { x: 'y' })).toEqual([{ role: 'user', content: '[1, 2] y' }]);
  });

  it('refuses a template Mustache cannot parse, and a partial it was not given, naming where', () => {
    expect(() => renderPromptMessages('{{#open}} never closed', {})).toThrow(
      /string\) is not valid Mustache/,
    );
    const partial = JSON.stringify([{ role: 'user', content: 'x {{#s}}{{> header}}{{/s}}' }]);
    expect(() => renderPromptMessages(partial, {})).toThrow(
      /messages\[0\]\.content\) includes the partial "header", which does not exist/,
    );
  });

  it('includes partials, nested ones too, filled in with the same variables and no escaping', () => {
    const partials = { tone: 'Be kind to {{who}} & {{>sign}}', sign: '<signed>' };
    expect(renderPromptMessages('{{> tone}} Answer {{who}}.', { who: 'A&B' }, partials)).toEqual([
      { role: 'user', content: 'Be kind to A&B & <signed> Answer A&B.' },
    ]);
  });
  it('renders variables named like Object.prototype’s members as sent, and values holding such keys as any object', () => {
    const named = {
      toString: 'T',
      constructor: 'C',
      hasOwnProperty: 'H',
      valueOf: 'V',
      isPrototypeOf: ['i', 'j'],
    };
    expect(
      renderPromptMessages(
        '{{toString}} {{constructor}} {{{hasOwnProperty}}} {{&valueOf}} {{#isPrototypeOf}}<{{.}}>{{/isPrototypeOf}}',
        named,
      ),
    ).toEqual([{ role: 'user', content: 'T C H V <i><j>' }]);
    // JavaScript's String() runs a value's own toString / valueOf, which JSON makes strings: a TypeError.
    const hostile = { toString: 'x', valueOf: 'y' };
    const variables = { object: hostile, list: [hostile, null, [hostile, 2]], nested: { inner: hostile } };
    const template =
      '{{object}}|{{{object}}}|{{&object}}|{{list}}|{{nested.inner}}|{{#list}}({{.}}){{/list}}|{{object.toString}}';
    expect(renderPromptMessages(template, variables)).toEqual([
      {
        role: 'user',
        content:
          '[object Object]|[object Object]|[object Object]|[object Object],,[object Object],2|[object Object]|' +
          '([object Object])()([object Object],2)|x',
      },
    ]);
    // The root object too, when its own keys are such names.
    expect(renderPromptMessages('{{.}}', hostile)).toEqual([{ role: 'user', content: '[object Object]' }]);
    expect(String(renderPromptMessages(template, variables)[0]?.content).length).toBeLessThanOrEqual(
      renderSizeBound(variables, templateTexts(template), {}).chars,
    );
  });

  it('refuses a partial named like Object.prototype’s members that it was not given, before and while rendering', () => {
    for (const name of ['constructor', 'toString', 'hasOwnProperty']) {
      expect(() => checkPromptRenderSize(`{{> ${name}}}`, {}), name).not.toThrow();
      expect(() => renderPromptMessages(`{{> ${name}}}`, {}), name).toThrow(
        `includes the partial "${name}", which does not exist`,
      );
    }
    expect(renderPromptMessages('{{> constructor}}!', { who: 'A' }, { constructor: 'Hi {{who}}' })).toEqual([
      { role: 'user', content: 'Hi A!' },
    ]);
  });
});

describe('templateTexts and loadPartials', () => {
  const store: Record<string, string> = {
    tone: 'Kind. {{> sign}}',
    sign: 'Signed {{who}}.',
    'sign@1': 'Old signature.',
    loop: 'a {{> back}}',
    back: 'b {{> loop}}',
  };
  const resolve = async (name: string) => store[name];

  it('reads every text part of a message list, and the partials they include once each', async () => {
    const template = JSON.stringify([
      { role: 'system', content: '{{> tone}}' },
      { role: 'user', content: [{ type: 'text', text: '{{> sign@1}} {{> sign}}' }, { type: 'image_url' }] },
    ]);
    expect(templateTexts(template)).toEqual([
      { text: '{{> tone}}', where: 'messages[0].content' },
      { text: '{{> sign@1}} {{> sign}}', where: 'messages[1].content[0].text' },
    ]);
    const asked: string[] = [];
    const partials = await loadPartials({
      texts: templateTexts(template),
      resolve: async (name) => {
        asked.push(name);
        return resolve(name);
      },
    });
    expect(partials).toEqual({
      tone: 'Kind. {{> sign}}',
      sign: 'Signed {{who}}.',
      'sign@1': 'Old signature.',
    });
    expect(asked).toEqual(['tone', 'sign', 'sign@1']);
  });

  it('refuses a missing partial, partials that include each other, and nesting too deep', async () => {
    await expect(loadPartials({ texts: templateTexts('{{> nope}}'), resolve })).rejects.toThrow(
      '(string) includes the partial "nope", which does not exist',
    );
    await expect(loadPartials({ texts: templateTexts('{{> loop}}'), resolve })).rejects.toThrow(
      "the prompt's partials include each other: loop → back → loop",
    );
    const chain: Record<string, string> = {};
    for (let level = 0; level < 12; level += 1) chain[`p${level}`] = `{{> p${level + 1}}}`;
    chain.p12 = 'end';
    await expect(
      loadPartials({ texts: templateTexts('{{> p0}}'), resolve: async (name) => chain[name] }),
    ).rejects.toThrow('nest deeper than 8 levels');
  });
});

describe('checkPromptRenderSize', () => {
  const list = (length: number) => Array.from({ length }, (_, index) => index);
  const refused = (template: string, variables: Record<string, unknown>, partials = {}) => {
    const started = performance.now();
    let error: unknown;
    try {
      checkPromptRenderSize(template, variables, partials);
    } catch (caught) {
      error = caught;
    }
    // Refused from the parsed template, before anything is rendered.
    expect(performance.now() - started).toBeLessThan(200);
    expect(error).toBeInstanceOf(PkError);
    expect(error).toMatchObject({ code: 'PK_ERR_INVALID_REQUEST', param: 'variables' });
    return (error as Error).message;
  };

  it('refuses sections nested over the same list: they multiply (300³ × 10 characters)', () => {
    expect(refused('{{#a}}{{#a}}{{#a}}xxxxxxxxxx{{/a}}{{/a}}{{/a}}', { a: list(300) })).toMatch(
      /could render 270000000 characters with them, more than 16777216/,
    );
  });

  it('refuses a long value repeated in a section (200 items × a 100 KB context)', () => {
    const variables = { items: list(200).map(String), context: 'c'.repeat(100_000) };
    expect(refused('Items:{{#items}}- {{.}} ({{context}})\n{{/items}}', variables)).toMatch(
      /could render \d+ characters with them, more than 16777216/,
    );
  });

  it('refuses sections that write nothing but repeat too often, and counts partials and their sections', () => {
    expect(refused('{{#a}}{{#a}}{{#a}}{{/a}}{{/a}}{{/a}}', { a: list(200) })).toMatch(
      /fill in \d+ tags with them \(sections repeat per list element\), more than 1048576/,
    );
    const partials = { row: '{{#cells}}{{> cell}}{{/cells}}', cell: '[{{value}}]' };
    const variables = {
      rows: list(100).map(() => ({ cells: list(100).map(() => ({ value: 'v'.repeat(5000) })) })),
    };
    expect(refused('{{#rows}}{{> row}}\n{{/rows}}', variables, partials)).toMatch(/could render/);
  });

  it('lets normal templates through, long lists and long values alike', () => {
    const users = list(100).map((id) => ({ name: `user ${id}`, roles: ['admin', 'editor', 'viewer'] }));
    const history = list(5000).map((turn) => `turn ${turn}`);
    const template =
      'Users:{{#users}} {{name}} ({{#roles}}{{.}},{{/roles}}){{/users}} Last: {{#history}}{{.}};{{/history}}';
    expect(() => checkPromptRenderSize(template, { users, history })).not.toThrow();
    expect(() =>
      checkPromptRenderSize('{{document}}', { document: 'x'.repeat(MAX_RENDERED_CHARS - 10) }),
    ).not.toThrow();
    expect(() =>
      checkPromptRenderSize('{{#items}}{{> p}}{{/items}}', { items: list(5000) }, { p: 'item {{.}}, ' }),
    ).not.toThrow();
  });

  it('bounds what the rendering makes, whatever the names resolve to', () => {
    const variables = {
      a: [1, [2, [3, null]], { b: 'bee' }],
      s: 'text',
      n: 1e21,
      deep: { a: [{ c: 'x'.repeat(50) }, { c: 'y' }] },
      rows: [
        [1e21, 2],
        [3, 4],
      ],
    };
    const partials = { p: 'P{{s}}{{#a}}{{.}}{{/a}}\n  {{n}}\n' };
    const templates = [
      '{{a}}{{{a}}}{{#a}}{{.}}|{{b}}{{/a}}',
      '{{#deep}}{{#a}}{{c}}{{a.0.c}}{{/a}}{{/deep}}{{deep.a.0.c}}',
      '{{s.length}}{{s.0}}{{a.length}}{{#s}}{{.}}{{length}}{{/s}}{{^missing}}none{{/missing}}',
      '{{#rows}}{{join}}{{toLocaleString}}{{constructor}}{{#.}}{{.}}{{/.}}{{/rows}}{{#constructor}}x{{/constructor}}',
      '  {{> p}}\n{{#a}}  {{> p}}\n{{/a}}',
    ];
    for (const template of templates) {
      const rendered = String(renderPromptMessages(template, variables, partials)[0]?.content);
      const bound = renderSizeBound(variables, templateTexts(template), partials);
      expect(rendered.length, template).toBeLessThanOrEqual(bound.chars);
    }
  });

  it('finds only the variables’ own data: no prototype methods, still lengths and elements', () => {
    const variables = { rows: [[1e21, 2]], items: ['a', 'b'], s: 'abc' };
    const text = (template: string) => renderPromptMessages(template, variables)[0]?.content;
    expect(text('{{#rows}}[{{join}}{{toLocaleString}}{{constructor}}{{toString}}]{{/rows}}')).toBe('[]');
    expect(text('{{#constructor}}x{{/constructor}}{{__proto__}}{{valueOf}}')).toBe('');
    expect(text('{{items.length}} {{s.length}} {{items.1}} {{s.0}} {{#items}}{{.}}{{s}}{{/items}}')).toBe(
      '2 3 b a aabcbabc',
    );
  });
});

describe('variablesOf', () => {
  it('reads an object, none as empty, and refuses anything else', () => {
    expect(variablesOf({ variables: { a: '1' } })).toEqual({ a: '1' });
    expect(variablesOf({})).toEqual({});
    const error = (() => {
      try {
        variablesOf({ variables: ['a'] });
      } catch (caught) {
        return caught as PkError;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(PkError);
    expect(error?.param).toBe('variables');
  });
});

describe('promptChatBody', () => {
  it('is the version’s parameters, tools and messages, then the request’s fields over them', () => {
    const body = promptChatBody(version, {
      variables: { company: 'Acme', question: 'q' },
      prompt_id: 'pp-x',
      max_tokens: 5,
      stream: false,
    });
    expect(body).toEqual({
      temperature: 0.2,
      max_tokens: 5,
      model: 'gpt-4o-mini',
      tools: version.tools,
      tool_choice: 'auto',
      stream: false,
      messages: [
        { role: 'system', content: 'You answer for Acme.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Question: q' },
            { type: 'image_url', image_url: { url: 'https://x/{{a}}' } },
          ],
        },
      ],
    });
  });
});

describe('routedPromptModel', () => {
  it('goes through the prompt’s virtual key unless the request routes itself', () => {
    expect(routedPromptModel('gpt-4o', 'openai-prod', false)).toBe('@openai-prod/gpt-4o');
    expect(routedPromptModel('gpt-4o', 'openai-prod', true)).toBe('gpt-4o');
    expect(routedPromptModel('@other/gpt-4o', 'openai-prod', false)).toBe('@other/gpt-4o');
    expect(routedPromptModel('gpt-4o', null, false)).toBe('gpt-4o');
    expect(routedPromptModel('gpt-4o', '@openai-prod', false)).toBe('@openai-prod/gpt-4o');
    expect(() => routedPromptModel(undefined, 'openai-prod', false)).toThrow(/the prompt has no model/);
  });
});
