// One mapper from the app's errors to what the doors answer: the worker, the API service and the
// Electron/web doors all report a failure through callErrorOf.
import { describe, expect, it } from 'vitest';
import { AppError, ImagingError, callErrorOf } from '../../../common/errors.js';
import { ContractError, ServiceError } from '../../../common/contract/index.js';
import { ArchitectureError } from '../../../common/model/index.js';
import { FileWriteError } from '../../../main/files/atomic-write.js';
import { DatasetError } from '../../../main/ml/train/index.js';

describe('callErrorOf', () => {
  it('maps each kind of error to its call code and keeps the message for people', () => {
    const cases: [Error, string][] = [
      [new ImagingError('not-found', 'a.png: no such file'), 'not-found'],
      [new ImagingError('not-a-file', 'photos: a folder, not a file'), 'not-found'],
      [new ImagingError('corrupt', 'a.png: corrupt or truncated image data'), 'bad-request'],
      [new ImagingError('exists', 'a.png already exists'), 'exists'],
      [new FileWriteError('exists', 'out.png already exists'), 'exists'],
      [new FileWriteError('unwritable', 'out: read-only folder'), 'bad-request'],
      [new ServiceError('forbidden', 'this folder was not shared'), 'forbidden'],
      [new ServiceError('unavailable', 'not in this build'), 'unavailable'],
      [new ContractError('params.level: too small'), 'bad-request'],
      [new ArchitectureError('widths must be positive'), 'bad-request'],
      [new DatasetError('no images in the folder'), 'bad-request'],
      [new Error('out of memory'), 'failed'],
    ];
    for (const [e, code] of cases) expect(callErrorOf(e), e.message).toEqual({ code, message: e.message });
    expect(callErrorOf('a string')).toEqual({ code: 'failed', message: 'a string' });
  });

  it('names each error by its class, for logs', () => {
    expect(new ImagingError('corrupt', 'x').name).toBe('ImagingError');
    expect(new FileWriteError('exists', 'x').name).toBe('FileWriteError');
    expect(new ServiceError('failed', 'x')).toBeInstanceOf(AppError);
  });
});
