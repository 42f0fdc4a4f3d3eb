// How a loss turns its per-element terms into one number.
//   mean       mean over all elements (PyTorch's default reduction)
//   sum        sum over all elements
//   batchmean  sum over all elements / batch size N (axis 0): "sum over features, mean over samples"

import type { Graph, Value } from '../ir/graph.js';

export type Reduction = 'mean' | 'sum' | 'batchmean';

export function reduceLoss(g: Graph, terms: Value, reduction: Reduction): Value {
  switch (reduction) {
    case 'mean':
      return g.reduceMean(terms, undefined, false);
    case 'sum':
      return g.reduceSum(terms, undefined, false);
    case 'batchmean': {
      const n = terms.shape[0] ?? 1;
      return g.mul(g.reduceSum(terms, undefined, false), g.scalar(1 / n, terms.dtype));
    }
  }
}
