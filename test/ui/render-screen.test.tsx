import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { Text, useInput } from 'ink';
import { useEffect, type ReactElement } from 'react';

// Ink renders only the final frame when it believes it runs in CI, and reads that once, at import.
delete process.env.CI;
delete process.env.CONTINUOUS_INTEGRATION;
const { renderScreen } = await import('../../src/ui/render.js');

/** A terminal's two ends, recording what happens in order: raw mode switches and frames written. */
function fakeTerminal() {
  const happened: string[] = [];
  const stdin = Object.assign(new PassThrough(), {
    isTTY: true,
    setRawMode(on: boolean) {
      happened.push(`raw ${on ? 'on' : 'off'}`);
      return stdin;
    },
    ref: () => stdin,
    unref: () => stdin,
  });
  const stdout = Object.assign(
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        if (chunk.toString().includes('ready')) happened.push('frame');
        done();
      },
    }),
    { isTTY: true, columns: 80, rows: 24 },
  );
  return { happened, io: { stdin, stdout, stderr: stdout } };
}

function Ready({ onDone }: { onDone: (code: number) => void }): ReactElement {
  useInput(() => undefined);
  useEffect(() => {
    const timer = setTimeout(() => onDone(0), 20);
    return () => clearTimeout(timer);
  }, [onDone]);
  return <Text>ready</Text>;
}

describe('renderScreen', () => {
  it('puts the terminal in raw mode before the first frame, so a key pressed as it shows is read as typed, and restores it at exit', async () => {
    const { happened, io } = fakeTerminal();
    const code = await renderScreen((onDone) => <Ready onDone={onDone} />, io);
    assert.equal(code, 0);
    assert.ok(happened.indexOf('raw on') !== -1 && happened.indexOf('raw on') < happened.indexOf('frame'), happened.join(', '));
    assert.equal(happened.at(-1), 'raw off', happened.join(', '));
  });
});
