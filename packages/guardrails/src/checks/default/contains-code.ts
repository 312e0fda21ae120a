import { z } from 'zod';
import type { CheckDefinition } from '../../model/check-definition.js';
import { parseParameters } from '../../model/parameters.js';
import { currentText, excerpt } from '../../text/content-parts.js';
import { codeBlockLanguages } from '../json-in-text.js';

const schema = z.object({ format: z.string().min(1), not: z.boolean().optional() });
type Parameters = z.infer<typeof schema>;

/** Markdown fence tags → the language names `format` uses (Portkey's table). */
const LANGUAGES: Readonly<Record<string, string>> = {
  sql: 'SQL',
  py: 'Python',
  python: 'Python',
  gyp: 'Python',
  ts: 'TypeScript',
  tsx: 'TypeScript',
  typescript: 'TypeScript',
  js: 'JavaScript',
  jsx: 'JavaScript',
  javascript: 'JavaScript',
  java: 'Java',
  cs: 'C#',
  cpp: 'C++',
  c: 'C',
  rb: 'Ruby',
  php: 'PHP',
  swift: 'Swift',
  kt: 'Kotlin',
  go: 'Go',
  rs: 'Rust',
  scala: 'Scala',
  r: 'R',
  pl: 'Perl',
  sh: 'Shell',
  html: 'HTML',
  css: 'CSS',
  xml: 'XML',
  json: 'JSON',
  yml: 'YAML',
  md: 'Markdown',
  dockerfile: 'Dockerfile',
};

/** `default.containsCode`: the text has a fenced code block tagged with language `format`; `not` inverts. */
export const containsCodeCheck: CheckDefinition<Parameters> = {
  id: 'default.containsCode',
  compile: (parameters) => parseParameters(schema, parameters),
  run({ context, parameters, event }) {
    const { format } = parameters;
    const not = parameters.not ?? false;
    const text = currentText(context, event);
    if (text === '') {
      return {
        verdict: false,
        error: { name: 'Error', message: 'No text content to analyze' },
        data: {
          explanation: 'Error while checking for code blocks: No text content to analyze',
          searchedFormat: format,
          not,
          textExcerpt: 'No text available',
        },
      };
    }
    const tags = codeBlockLanguages(text);
    if (tags.length === 0) {
      return {
        verdict: not,
        data: {
          explanation: 'No code blocks found in the text',
          searchedFormat: format,
          not,
          foundFormats: [],
          textExcerpt: excerpt(text),
        },
      };
    }
    const foundFormats = tags.map((tag) => LANGUAGES[tag] ?? tag);
    const hasFormat = foundFormats.includes(format);
    const verdict = not ? !hasFormat : hasFormat;
    return {
      verdict,
      data: {
        explanation: verdict
          ? not
            ? `No code blocks in ${format} format found as expected`
            : `Found code block(s) in ${format} format`
          : not
            ? `Found code block(s) in ${format} format when none were expected`
            : `No code blocks in ${format} format found`,
        searchedFormat: format,
        not,
        foundFormats,
        textExcerpt: excerpt(text),
      },
    };
  },
};
