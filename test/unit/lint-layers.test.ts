// The layer rules in eslint.config.js fail `npm run lint` on an import against the layers. Each
// case lints a planted file in memory (nothing is written to the tree) at a path inside a layer.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

async function layerErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('lint enforces the layers', () => {
  it('refuses common/ reaching up into imaging/ and the engine reaching into imaging/, the service or the training loop', async () => {
    expect(
      await layerErrors(
        'main/common/planted.ts',
        "import { ImagingError } from '../imaging/errors.js';\nvoid ImagingError;\n",
      ),
    ).toEqual([
      "'../imaging/errors.js' import is restricted from being used by a pattern. " +
        'Import against the layers: common/ is process-neutral and imports nothing of the app.',
    ]);
    for (const spec of ['../../imaging/codec.js', '../../service/contract.js', '../train/trainer.js', '../../paths.js'])
      expect(await layerErrors('main/engine/grad/planted.ts', `import * as m from '${spec}';\nvoid m;\n`)).toHaveLength(
        1,
      );
  });

  it('lets each layer import what lies below it', async () => {
    expect(
      await layerErrors('main/engine/nn/planted.ts', "import { Rng } from '../../common/rng.js';\nvoid Rng;\n"),
    ).toEqual([]);
    expect(
      await layerErrors('main/engine/grad/planted.ts', "import * as ir from '../ir/index.js';\nvoid ir;\n"),
    ).toEqual([]);
    // The training loop is not engine core (it moves to ml/): it may use imaging today.
    expect(
      await layerErrors('main/engine/train/planted.ts', "import * as c from '../../imaging/codec.js';\nvoid c;\n"),
    ).toEqual([]);
  });
});
