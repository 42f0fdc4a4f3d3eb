// Errors that cross layers and processes. Every error the app raises on purpose is an AppError
// with a code; `message` is written for the person using the app (what happened, what to do),
// naming the file where one is involved. The one mapper, `toCallError`, turns any error into what
// the doors answer (a call code and that message), so the worker, the API service and the CLI
// agree on how a failure is reported.

/** What a door says about a failed call (the web host maps these to HTTP statuses). */
export const CALL_ERROR_CODES = ['bad-request', 'not-found', 'unavailable', 'failed', 'forbidden', 'exists'] as const;
export type CallErrorCode = (typeof CALL_ERROR_CODES)[number];

/** Each error code, and the call code it is reported with. */
const CALL_CODE_OF = {
  // between a file and pixels (imaging) and writing files
  'not-found': 'not-found',
  'not-a-file': 'not-found',
  outside: 'bad-request',
  empty: 'bad-request',
  unsupported: 'bad-request',
  corrupt: 'bad-request',
  'too-large': 'bad-request',
  'too-small': 'bad-request',
  exists: 'exists',
  unwritable: 'bad-request',
  'bad-option': 'bad-request',
  'bad-model': 'bad-request',
  'size-mismatch': 'bad-request',
  // the service's own verdicts
  'bad-request': 'bad-request',
  unavailable: 'unavailable',
  failed: 'failed',
  forbidden: 'forbidden',
} as const satisfies Record<string, CallErrorCode>;
export type ErrorCode = keyof typeof CALL_CODE_OF;

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }

  /** The technical account behind `message` (which field failed which check), for a details view and the log. */
  get details(): string | undefined {
    return undefined;
  }
}

export type ImagingErrorCode = Exclude<ErrorCode, CallErrorCode> | 'exists' | 'not-found';

/** Everything that can go wrong between a file and pixels. */
export class ImagingError extends AppError {
  declare readonly code: ImagingErrorCode;
  constructor(code: ImagingErrorCode, message: string) {
    super(code, message);
  }
}

/** Any error → the call code the doors report, the message for people and, where there are any, technical details. */
export function callErrorOf(e: unknown): { code: CallErrorCode; message: string; details?: string } {
  if (e instanceof AppError) {
    const details = e.details;
    return { code: CALL_CODE_OF[e.code], message: e.message, ...(details ? { details } : {}) };
  }
  return { code: 'failed', message: e instanceof Error ? e.message : String(e) };
}
