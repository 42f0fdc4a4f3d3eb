// backward(g, loss, wrt, { rules }) differentiates with the table it is given, so a study of other
// formulations (bench/conv-grad-formulations.ts) never changes the engine's own table.
import { describe, expect, it } from 'vitest';
import { Graph } from '../../../main/engine/ir/index.js';
import { Tensor } from '../../../main/engine/ir/tensor.js';
import { backward } from '../../../main/engine/grad/backward.js';
import { type GradRule, gradRules } from '../../../main/engine/grad/rules.js';
import { evaluate } from '../../../main/engine/exec/reference/index.js';

function reluGradient(rules?: Parameters<typeof backward>[3]): number[] {
  const g = new Graph('float64');
  const x = g.input('x', [4]);
  const loss = g.reduceSum(g.relu(x), undefined, false);
  const dx = backward(g, loss, [x], rules).get('x')!;
  const feeds = { x: new Tensor('float64', [4], [-2, -0.5, 0.5, 3]) };
  return evaluate(g, feeds, [dx.name])[dx.name]!.toNumbers();
}

describe('backward with its own rule table', () => {
  it('uses the table it is given, and leaves the shared one as it was', () => {
    const before = gradRules.Relu;
    expect(reluGradient()).toEqual([0, 0, 1, 1]);
    // A deliberately different rule: dy everywhere (as if ReLU were the identity).
    const identity: GradRule = ({ dy }) => [dy];
    expect(reluGradient({ rules: { ...gradRules, Relu: identity } })).toEqual([1, 1, 1, 1]);
    expect(gradRules.Relu).toBe(before);
    expect(reluGradient()).toEqual([0, 0, 1, 1]);
  });
});
