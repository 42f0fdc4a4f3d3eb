// The renderer's one mapper from a failure to what a person reads (renderer/src/lib/failure.ts):
// paths become file names in the text, the raw message and the service's details go behind the
// toggle, and a lost host is said in words.
import { describe, expect, it } from 'vitest';
import { CallFailed } from '../../../common/api.js';
import { parseJobSpec } from '../../../common/contract/index.js';
import { errorText, failureOf, withoutPaths } from '../../../renderer/src/lib/failure.js';

const upload = '/tmp/denoise-lab-uploads-4242-AbC123/5f1c7a5c-03b0/broken.png';

describe('withoutPaths', () => {
  it('shows each absolute path by its last part, folders with spaces included', () => {
    expect(withoutPaths(`${upload}: corrupt or truncated image data`)).toBe(
      'broken.png: corrupt or truncated image data',
    );
    expect(withoutPaths('cannot move /home/me/My Photos/a.png to /srv/out/b.png, sorry')).toBe(
      'cannot move a.png to b.png, sorry',
    );
    expect(withoutPaths("model 'C:\\Users\\me\\AppData\\Denoise Lab\\models\\user\\m.onnx' is damaged")).toBe(
      "model 'm.onnx' is damaged",
    );
  });

  it('leaves what is not a path alone', () => {
    const kept = 'expected image/png at 127.0.0.1:8080/api (2/3 done, 10 steps/s)';
    expect(withoutPaths(kept)).toBe(kept);
  });
});

describe('failureOf', () => {
  it('a failed call: the file by name in the text, the raw message and code in the details', () => {
    const e = new CallFailed(`${upload}: corrupt or truncated image data (libpng read error)`, 'bad-request');
    expect(failureOf(e)).toEqual({
      text: 'broken.png: corrupt or truncated image data (libpng read error)',
      details: `${upload}: corrupt or truncated image data (libpng read error)\ncode: bad-request`,
    });
  });

  it('a refused request: the words for people, the validator’s account in the details', () => {
    const e = new CallFailed(
      'The learning rate must be a positive number.',
      'bad-request',
      'invalid job request: params.lr: Too small',
    );
    expect(failureOf(e)).toEqual({
      text: 'The learning rate must be a positive number.',
      details: 'invalid job request: params.lr: Too small\ncode: bad-request',
    });
    // The web door checks a request before sending it: the same words, the same details.
    let local: unknown;
    try {
      parseJobSpec({
        kind: 'train',
        params: {
          architecture: 'dense:8-3-8',
          data: { kind: 'digits' },
          noise: { type: 'none', level: 0 },
          lr: -1,
          batch: 8,
          steps: 1,
        },
      });
    } catch (err) {
      local = err;
    }
    expect(failureOf(local)).toEqual({
      text: 'The learning rate must be a positive number.',
      details: 'invalid job request: params.lr: Too small: expected number to be >0',
    });
  });

  it('nothing behind the toggle when the text says it all', () => {
    expect(failureOf(new CallFailed('this folder was not shared with Denoise Lab', 'forbidden'))).toEqual({
      text: 'this folder was not shared with Denoise Lab',
      details: null,
    });
    const cancelled = new Error('the job was cancelled');
    cancelled.name = 'JobCancelled';
    expect(failureOf(cancelled)).toEqual({ text: 'The job was cancelled.', details: null });
  });

  it('a host that is gone is said in words', () => {
    const f = failureOf(new TypeError('Failed to fetch'));
    expect(f.text).toMatch(/^Denoise Lab’s service could not be reached\./);
    expect(f.details).toBe('Failed to fetch');
    expect(errorText(new TypeError('NetworkError when attempting to fetch resource.'))).toBe(f.text);
  });
});
