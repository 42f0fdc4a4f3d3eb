import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { listModels } from '../../../main/service/models.js';
import { modelsDir } from '../../../main/files/app-paths.js';
import { tempDir } from '../../helpers/temp-dir.js';

describe('model catalogue', () => {
  it('lists the shipped default denoiser first, then the others, then the user folder', async () => {
    const shipped = tempDir('dl-models-');
    const user = tempDir('dl-user-');
    for (const f of ['a-model.onnx', 'default.onnx', 'z-model.onnx']) writeFileSync(path.join(shipped, f), '');
    writeFileSync(path.join(user, 'mine.onnx'), '');
    writeFileSync(path.join(user, 'mine.json'), JSON.stringify({ name: 'Mine', architectureSpec: { network: {} } }));
    const ids = (await listModels({ shipped, user })).map((m) => `${m.id}:${m.kind}`);
    expect(ids).toEqual([
      'shipped/default:shipped',
      'shipped/a-model:shipped',
      'shipped/z-model:shipped',
      'user/mine:trained',
    ]);
  });

  it('reads every card shipped in models/', async () => {
    const cards = await listModels({ shipped: modelsDir, user: tempDir('dl-user-') });
    expect(cards.length).toBeGreaterThan(0);
    // A noise estimator shipped beside its model is part of that model, not one of the list.
    expect(cards.map((c) => c.id)).toContain('shipped/camera');
    expect(cards.some((c) => c.file.endsWith('.estimator.onnx'))).toBe(false);
    for (const c of cards) {
      expect(c.description, `${c.id} card`).not.toBe('model card could not be read');
      expect(c.params, c.id).toBeGreaterThan(0);
    }
  });
});
