import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createOutputLines, type LogLine, logLineWhere, requestLineOf, textLine } from './output-lines.js';

describe('the lines a gateway writes', () => {
  it('a wait resolves with a line written later, parsed when it is JSON', async () => {
    const output = createOutputLines();
    const waited = output.waitForLine(requestLineOf('t-1'));
    output.append('{"msg":"request","traceId":"t-0"}\n{"msg":"request",');
    output.append('"traceId":"t-1","status":200}\nplain text\n');
    await expect(waited).resolves.toEqual({ msg: 'request', traceId: 't-1', status: 200 });
    expect(output.lines()).toEqual([
      { msg: 'request', traceId: 't-0' },
      { msg: 'request', traceId: 't-1', status: 200 },
      'plain text',
    ]);
  });

  it('a wait resolves at once with a line already written, and `fromLine` skips the earlier ones', async () => {
    const output = createOutputLines();
    output.append('ready 1\n');
    await expect(output.waitForLine(textLine('ready'))).resolves.toBe('ready 1');
    const mark = output.lineCount();
    const later = output.waitForLine(textLine(/^ready/), { fromLine: mark });
    output.append('ready 2\n');
    await expect(later).resolves.toBe('ready 2');
  });

  it('keeps each writer’s lines whole when chunks of two writers interleave', async () => {
    const output = createOutputLines();
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    output.read(stdout);
    output.read(stderr);
    const waited = output.waitForLines(
      logLineWhere((line) => line.n !== undefined),
      { count: 2 },
    );
    stdout.write('{"n":');
    stderr.write('warning: something\n');
    stdout.write('1}\n{"n":2}\n');
    await expect(waited).resolves.toEqual([{ n: 1 }, { n: 2 }]);
    expect(output.lines()).toEqual(['warning: something', { n: 1 }, { n: 2 }]);
  });

  it('a wait that times out says what it waited for and shows the last lines seen', async () => {
    const output = createOutputLines();
    for (let index = 0; index < 30; index += 1) output.append(`line ${index}\n`);
    const failure = output
      .waitForLine(textLine('never'), { timeoutMs: 20, description: 'the never line' })
      .catch((error: Error) => error.message);
    const message = await failure;
    expect(message).toContain('no line in 20 ms');
    expect(message).toContain('the never line');
    expect(message).toContain('… 10 earlier lines\nline 10\n');
    expect(message).toContain('line 29');
    expect(message).not.toContain('line 9\n');
  });

  it('a wait fails at once when the output ends without the line, after the last partial line counts', async () => {
    const output = createOutputLines();
    const partial = output.waitForLine<LogLine>(logLineWhere((line) => line.last === true));
    const never = output.waitForLine((_line, text) => text === 'never', { timeoutMs: 60_000 });
    output.append('{"last":true}');
    output.end('the gateway exited (code 0)');
    await expect(partial).resolves.toEqual({ last: true });
    await expect(never).rejects.toThrow(/the gateway exited \(code 0\): 0 of 1 line\(s\) matching .*never/);
    await expect(output.waitForLine(textLine('later'))).rejects.toThrow('the gateway exited (code 0)');
  });
});
