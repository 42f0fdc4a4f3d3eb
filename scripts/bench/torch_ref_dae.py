#!/usr/bin/python3
"""PyTorch peer of `npm run bench`: the ref-dae workload, timed the same way as the engine.

    /usr/bin/python3 scripts/bench/torch_ref_dae.py --threads 1 [--seconds 3] [--infer-size 1024]

ref-dae: conv3x3 1->32 + ReLU, five conv3x3 32->32 + ReLU, conv3x3 32->1, zero padding 1, biases;
output = input - last conv (46,849 parameters). One training step = forward, MSE against the clean
batch (mean over all elements), backward, Adam (lr 1e-3, PyTorch defaults otherwise) on a batch of
16 x 1 x 48 x 48. Inference = one forward pass on 1 x 1 x S x S without autograd.

Prints one JSON object on stdout:
    {"torch": "1.13.0", "threads": 1, "params": 46849, "train_ms": ..., "train_steps_per_s": ...,
     "train_steps": ..., "infer_ms": ..., "infer_size": 1024}
Timing: a warm-up (3 steps / 1 inference), then as many steps as fit in --seconds (at least 5);
the figure is the median step time of those, so a stray slow step does not move it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time

import torch


class RefDae(torch.nn.Module):
    def __init__(self, features: int = 32, depth: int = 7) -> None:
        super().__init__()
        chans = [1] + [features] * (depth - 1) + [1]
        self.convs = torch.nn.ModuleList(torch.nn.Conv2d(chans[i], chans[i + 1], 3, padding=1) for i in range(depth))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x
        for i, conv in enumerate(self.convs):
            h = conv(h)
            if i < len(self.convs) - 1:
                h = torch.relu(h)
        return x - h


def timed(fn, seconds: float, min_runs: int) -> tuple[float, int]:
    times: list[float] = []
    start = time.perf_counter()
    while len(times) < min_runs or time.perf_counter() - start < seconds:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000, len(times)


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seconds", type=float, default=3.0)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--patch", type=int, default=48)
    p.add_argument("--infer-size", type=int, default=1024)
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = RefDae()
    params = sum(t.numel() for t in model.parameters())
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    clean = torch.rand(a.batch, 1, a.patch, a.patch)
    noisy = clean + torch.randn_like(clean) * (25 / 255)

    def step() -> None:
        opt.zero_grad(set_to_none=True)
        loss = torch.nn.functional.mse_loss(model(noisy), clean)
        loss.backward()
        opt.step()

    for _ in range(3):
        step()
    train_ms, steps = timed(step, a.seconds, 5)

    image = torch.rand(1, 1, a.infer_size, a.infer_size)
    with torch.no_grad():
        model(image)
        infer_ms, _ = timed(lambda: model(image), a.seconds / 2, 3)

    print(json.dumps({
        "torch": torch.__version__, "threads": a.threads, "params": params,
        "train_ms": train_ms, "train_steps_per_s": 1000 / train_ms, "train_steps": steps,
        "infer_ms": infer_ms, "infer_size": a.infer_size,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
