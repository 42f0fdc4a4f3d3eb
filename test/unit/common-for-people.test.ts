import { describe, expect, it } from 'vitest';
import { parseRequest, type ContractError } from '../../main/service/contract.js';
import { forPeople } from '../../main/common/for-people.js';

// Samples are the service's own messages (codec.ts, engine-models.ts, build.ts, parseWith).
describe('forPeople', () => {
  it('names an upload by the user’s file name, not the temp folder', () => {
    const raw =
      '/tmp/denoise-lab-uploads-4242-aB3xYz/6f1c2d9e-0b7a-4c1e-9d3f-1a2b3c4d5e6f/holiday photo.png: not an image (unknown format)';
    expect(forPeople(raw)).toEqual({ message: '“holiday photo.png”: not an image (unknown format)', details: raw });
  });

  it('replaces every absolute path inside a message, Windows ones too', () => {
    const raw = "model 'my-net': cannot read /home/ann/.config/denoise-lab/models/my-net.onnx (ENOENT: no such file)";
    expect(forPeople(raw).message).toBe("model 'my-net': cannot read “my-net.onnx” (ENOENT: no such file)");
    expect(forPeople('C:\\Users\\ann\\AppData\\Roaming\\denoise-lab\\x.npy: expected a .npy file').message).toBe(
      '“x.npy”: expected a .npy file',
    );
  });

  it('keeps a spaced file name whole in the middle of a message', () => {
    const raw =
      'Could not open holiday photo.png: /tmp/denoise-lab-uploads-1-x/0b7a/holiday photo.png: empty file (0 bytes), not an image';
    expect(forPeople(raw).message).toBe('Could not open holiday photo.png: empty file (0 bytes), not an image');
  });

  it('keeps spaced folders whole and names the data folder in words', () => {
    const raw = "model 'x': cannot read /Users/ann/Library/Application Support/Denoise Lab/models/my net.onnx (EACCES)";
    expect(forPeople(raw).message).toBe("model 'x': cannot read “my net.onnx” (EACCES)");
    expect(forPeople('cannot write to /home/ann/.local/share/denoise-lab/models: read-only file system').message).toBe(
      'cannot write to your models folder: read-only file system',
    );
    expect(forPeople('cannot create /home/ann/.config/Denoise Lab (EACCES)').message).toBe(
      'cannot create the Denoise Lab data folder (EACCES)',
    );
  });

  it('says “a working file” for the session folder', () => {
    const raw = 'the final checkpoint /tmp/denoise-lab-session-99-Qw/jobs/j1/final.ckpt was not written';
    expect(forPeople(raw).message).toBe('the final checkpoint a working file of this session was not written');
  });

  it('hides tensor shapes behind the details', () => {
    const raw = 'unet network expects 3×H×W samples, got shape [1, 64, 64]';
    const out = forPeople(raw);
    expect(out.message).not.toMatch(/\[\d+,/);
    expect(out.message).toMatch(/sizes differ/);
    expect(out.details).toBe(raw);
  });

  it('turns the contract’s validation text into field names and rules', () => {
    let raw = '';
    try {
      parseRequest('jobs:start', { kind: 'train', params: { lr: -1 } });
    } catch (e) {
      raw = (e as ContractError).message;
    }
    expect(raw).toMatch(/^invalid request for jobs:start: /);
    const out = forPeople(raw);
    expect(out.message).toMatch(/^Some settings are not valid: /);
    expect(out.message).not.toMatch(/invalid request|expected|received|jobs:start|Too small/);
    expect(out.details).toBe(raw);
  });

  it('words the common zod rules', () => {
    const raw = `invalid request for jobs:start: spec.params.lr: Too small: expected number to be >0; spec.params.batchSize: Invalid input: expected number, received string; params.data: Invalid input: expected object, received undefined; params.architecture: Invalid input; kind: Invalid discriminator value. Expected 'open-image' | 'train'`;
    expect(forPeople(raw).message).toBe(
      'Some settings are not valid: learning rate must be greater than 0; batch size must be a number; data is missing; architecture is not valid; kind is not one of the choices.',
    );
  });

  it('leaves a message that is already fit to show alone, without details', () => {
    expect(forPeople('Nothing to open in that drop: no image files were found.')).toEqual({
      message: 'Nothing to open in that drop: no image files were found.',
    });
    expect(forPeople('learning rate 1/2 is fine').details).toBeUndefined();
  });
});
