// Error messages as people read them. The service's messages are precise for whoever debugs it:
// they name internal folders (`/tmp/denoise-lab-uploads-…/<uuid>/photo.png`), quote the raw
// validation text (`invalid request for jobs:start: spec.params.lr: Too small: …`) and print
// tensor shapes (`[1, 3, 64, 64]`). `forPeople` rewrites such a message into what happened, with
// the user's own file name, and keeps the original text as `details` (the "Details" toggle and
// the log), so nothing is lost. Pure: no Node, so the renderer uses it as well.

export interface ForPeople {
  /** What happened, for the person at the screen. */
  message: string;
  /** The original text when it was rewritten; absent when the message was already fit to show. */
  details?: string;
}

/** Words people use for the contract's field names (the rest are spelt out from camelCase). */
const FIELD_WORDS: Record<string, string> = {
  lr: 'learning rate',
  batchSize: 'batch size',
  valFraction: 'validation share',
};

/** One folder or file name of a path, without spaces. */
const SEG = String.raw`[^\s'"\`,;:()\[\]<>\\/]+`;
/**
 * An absolute path (POSIX or Windows) that starts a word. Its parts may hold single spaces
 * (`Application Support`, `Denoise Lab`, `holiday photo.png`); the last one only when it ends in
 * an extension (or is the data folder `Denoise Lab`), so the words after a folder's path stay words.
 */
const PATH = new RegExp(
  String.raw`(?<=^|[\s'"\`(=])(?:[A-Za-z]:)?[\\/](?:${SEG}(?: ${SEG})*[\\/])+(?:Denoise Lab\b|${SEG}(?: ${SEG})*\.[A-Za-z0-9]{1,5}\b|${SEG})?`,
  'g',
);
/** The data folder's own name (data-dir.ts; Electron's userData uses the product name). */
const DATA_FOLDER = /^(?:denoise-lab|Denoise Lab)$/;
/** A message that starts with a file's path, which may hold spaces: `<path>: what went wrong`. */
const LEADING_PATH = /^((?:[A-Za-z]:)?[\\/][^:]*?[\\/][^:\\/]+): /;
/** A tensor shape such as `[1, 3, 64, 64]` or `[N, C, H, W]`. */
const SHAPE = /\[\s*[\w?-]+(?:\s*,\s*[\w?-]+)+\s*\]/;
/** Text from parseWith: `invalid request for <channel>: a.b: why; c: why`. */
const VALIDATION = /^invalid (?:request for|response of) [\w:.-]+: (.*)$/s;

/** The part of a path a person recognises: their file's name, or a phrase for our folders. */
function nameOf(p: string): string {
  const parts = p.split(/[\\/]/).filter(Boolean);
  const upload = parts.findIndex((s) => s.startsWith('denoise-lab-uploads-'));
  // Uploads sit at <upload folder>/<uuid>/<the user's file name>.
  if (upload >= 0) return parts.length >= upload + 3 ? `“${parts.at(-1)}”` : 'the uploaded files';
  if (parts.some((s) => s.startsWith('denoise-lab-session-'))) return 'a working file of this session';
  const last = parts.at(-1);
  if (last && DATA_FOLDER.test(last)) return 'the Denoise Lab data folder';
  if ((last === 'models' || last === 'checkpoints') && DATA_FOLDER.test(parts.at(-2) ?? ''))
    return `your ${last} folder`;
  return last ? `“${last}”` : 'a folder';
}

function fieldWords(path: string): string {
  const name =
    path
      .split('.')
      .filter((s) => !/^\d+$/.test(s))
      .at(-1) ?? path;
  if (name === '(message)') return 'the request';
  return FIELD_WORDS[name] ?? name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

/** `Too small: expected number to be >0` → `must be greater than 0`. */
function ruleWords(why: string): string {
  const bound = /expected \w+ to (?:be|have) (>=|>|<=|<)\s*(\S+)/.exec(why);
  if (bound) {
    const [, op, n] = bound;
    const say = { '>=': 'at least', '>': 'greater than', '<=': 'at most', '<': 'less than' }[op!];
    return `must be ${say} ${n}`;
  }
  const type = /expected (\w+), received (\w+)/.exec(why);
  if (type) return type[2] === 'undefined' ? 'is missing' : `must be a ${type[1]}`;
  if (/^Invalid (?:option|discriminator|enum)/.test(why)) return 'is not one of the choices';
  if (/^Invalid\b/.test(why)) return 'is not valid';
  return why.replace(/^[A-Z][\w ]*: /, '').replace(/^./, (c) => c.toLowerCase());
}

function validationWords(issues: string): string {
  const said = issues.split('; ').map((issue) => {
    const at = issue.indexOf(': ');
    if (at < 0) return issue;
    return `${fieldWords(issue.slice(0, at))} ${ruleWords(issue.slice(at + 2))}`;
  });
  return `Some settings are not valid: ${[...new Set(said)].join('; ')}.`;
}

export function forPeople(text: string): ForPeople {
  let message = text.trim();
  const validation = VALIDATION.exec(message);
  if (validation) message = validationWords(validation[1]!);
  else if (SHAPE.test(message))
    message = 'The model and the image do not fit together (their sizes differ). Try another model.';
  else {
    message = message.replace(LEADING_PATH, (_, p: string) => `${nameOf(p)}: `);
    message = message.replace(PATH, (p) => nameOf(p));
  }
  // `Could not open a.png: “a.png”: empty file`: the path said the name again.
  message = message.replace(/(^|\s)([^\s:“”][^:“”]*): “\2”: /, '$1$2: ');
  return message === text ? { message } : { message, details: text };
}
