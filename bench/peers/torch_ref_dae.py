#!/usr/bin/python3
"""PyTorch peer of `npm run bench`: the ref-dae workload, timed the same way as the engine.

    /usr/bin/python3 bench/peers/torch_ref_dae.py --threads 1 [--infer-size 1024] [--serve]

ref-dae: conv3x3 1->32 + ReLU, five conv3x3 32->32 + ReLU, conv3x3 32->1, zero padding 1, biases;
output = input - last conv (46,849 parameters). One training step = forward, MSE against the clean
batch (mean over all elements), backward, Adam (lr 1e-3, PyTorch defaults otherwise) on a batch of
16 x 1 x 48 x 48. Inference = one forward pass on 1 x 1 x S x S without autograd.

--serve (what the bench uses): prints {"ready": true, "torch": ..., "params": ...} and then answers
each line on stdin, so that the bench can alternate short rounds of PyTorch and of its own
executors and both see the same machine load:
    train K   ->  {"train_ms": [K step times]}
    infer K   ->  {"infer_ms": [K run times]}
    quit
Without --serve: warm up, time for --seconds, print one JSON object with median step times.
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


class Workload:
    def __init__(self, batch: int, patch: int, infer_size: int) -> None:
        torch.manual_seed(0)
        self.model = RefDae()
        self.params = sum(t.numel() for t in self.model.parameters())
        self.opt = torch.optim.Adam(self.model.parameters(), lr=1e-3)
        self.clean = torch.rand(batch, 1, patch, patch)
        self.noisy = self.clean + torch.randn_like(self.clean) * (25 / 255)
        self.image = torch.rand(1, 1, infer_size, infer_size)

    def step(self) -> None:
        self.opt.zero_grad(set_to_none=True)
        loss = torch.nn.functional.mse_loss(self.model(self.noisy), self.clean)
        loss.backward()
        self.opt.step()

    def infer(self) -> None:
        with torch.no_grad():
            self.model(self.image)


def times_ms(fn, k: int) -> list[float]:
    out = []
    for _ in range(k):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seconds", type=float, default=3.0)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--patch", type=int, default=48)
    p.add_argument("--infer-size", type=int, default=1024)
    p.add_argument("--serve", action="store_true")
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    w = Workload(a.batch, a.patch, a.infer_size)
    if a.serve:
        print(json.dumps({"ready": True, "torch": torch.__version__, "threads": a.threads, "params": w.params}), flush=True)
        for line in sys.stdin:
            words = line.split()
            if not words or words[0] == "quit":
                break
            k = int(words[1]) if len(words) > 1 else 1
            if words[0] == "train":
                print(json.dumps({"train_ms": times_ms(w.step, k)}), flush=True)
            elif words[0] == "infer":
                print(json.dumps({"infer_ms": times_ms(w.infer, k)}), flush=True)
            else:
                print(json.dumps({"error": f"unknown command {words[0]!r}"}), flush=True)
        return 0

    times_ms(w.step, 3)
    train: list[float] = []
    start = time.perf_counter()
    while len(train) < 5 or time.perf_counter() - start < a.seconds:
        train += times_ms(w.step, 1)
    w.infer()
    infer = times_ms(w.infer, 3)
    print(json.dumps({
        "torch": torch.__version__, "threads": a.threads, "params": w.params,
        "train_ms": statistics.median(train), "train_steps": len(train),
        "infer_ms": statistics.median(infer), "infer_size": a.infer_size,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
