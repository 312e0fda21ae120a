import Anthropic from '@anthropic-ai/sdk';
import { askWeather } from './weather-assistant.js';

// Run against a pk gateway (pnpm start at the repository root):
//   ANTHROPIC_BASE_URL=http://127.0.0.1:8787 ANTHROPIC_API_KEY=sk-ant-… pnpm start
// The Anthropic SDK reads both variables itself. To send the same code to another provider, add its
// pk headers, e.g. defaultHeaders: { 'x-portkey-provider': 'openai' } with an OpenAI key.
const client = new Anthropic();
const answer = await askWeather(
  client,
  process.argv[2] ?? 'claude-sonnet-4-20250514',
  'What is the weather in San Francisco?',
);
console.log(answer.text);
console.log(`tool calls: ${JSON.stringify(answer.toolCalls)}; usage: ${JSON.stringify(answer.usage)}`);
