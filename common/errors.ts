// One error type for everything that can go wrong between a file and pixels. `code` lets callers
// (CLI, service) react without parsing text; `message` is written for the user, naming the file.

export type ImagingErrorCode =
  | 'not-found'
  | 'not-a-file'
  | 'outside'
  | 'empty'
  | 'unsupported'
  | 'corrupt'
  | 'too-large'
  | 'too-small'
  | 'exists'
  | 'unwritable'
  | 'bad-option'
  | 'bad-model'
  | 'size-mismatch';

export class ImagingError extends Error {
  constructor(
    readonly code: ImagingErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ImagingError';
  }
}
