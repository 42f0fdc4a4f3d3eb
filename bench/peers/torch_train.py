#!/usr/bin/python3
"""PyTorch peer of `denoise-lab train` for `npm run bench`: the whole training command, as a user
would write it in PyTorch, run as its own process and timed from outside.

    /usr/bin/python3 bench/peers/torch_train.py --data patches.npy --steps N --out model.pt \
        [--threads 2] [--batch 16] [--lr 0.001] [--sigma 25] [--seed 1] [--progress]

Does what `denoise-lab train --arch ref-dae --data patches.npy --noise gaussian:25 --batch 16
--optimizer adam --lr 0.001 --steps N --out model.onnx` does: load the N x 1 x 48 x 48 float32
patches, walk them in a seeded shuffled order (a new order each epoch), add fresh Gaussian noise to
each batch, one Adam step (MSE to the clean batch) per batch, print the final loss, and write the
trained parameters atomically (temporary file, fsync, rename).
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_ref_dae import RefDae  # noqa: E402  (the same model as the engine-step peer)


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--steps", type=int, required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--sigma", type=float, default=25)
    p.add_argument("--seed", type=int, default=1)
    # One line per step, as `denoise-lab train --json` prints: the bench times the lines.
    p.add_argument("--progress", action="store_true")
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    data = torch.from_numpy(np.load(a.data).astype(np.float32, copy=False))
    model = RefDae()
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    order = torch.randperm(len(data))
    pos = 0
    loss = torch.tensor(float("nan"))
    for step in range(1, a.steps + 1):
        if pos + a.batch > len(order):
            order, pos = torch.randperm(len(data)), 0
        clean = data[order[pos : pos + a.batch]]
        pos += a.batch
        noisy = clean + torch.randn_like(clean) * (a.sigma / 255)
        opt.zero_grad(set_to_none=True)
        loss = torch.nn.functional.mse_loss(model(noisy), clean)
        loss.backward()
        opt.step()
        if a.progress:
            print(f"step {step}", flush=True)

    tmp = a.out + ".tmp"
    with open(tmp, "wb") as f:
        torch.save(model.state_dict(), f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, a.out)
    print(f"wrote {a.out} ({a.steps} steps, final loss {loss.item():.7f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
