#!/usr/bin/python3
"""What this CPU's fp32 arithmetic reaches in PyTorch's best kernels: the yardstick for the README's
reading of the ref-dae step profile (node out/bench/step-profile.js).

    /usr/bin/python3 bench/peers/torch_rates.py [--threads 1,2] [--repeats 20]

Prints, per thread count, the best of `repeats` runs as GFLOP/s (2 flops per multiply-add):
  sgemm 2048   a 2048 x 2048 x 2048 matrix product (about as close to peak as this CPU gets);
  conv 32->32  one of ref-dae's five inner convolutions, forward, on its training batch
               (16 x 32 x 48 x 48, 3 x 3, zero padding 1): the shape that dominates its step.
Best, not median: the question is what the hardware allows, not how a run usually goes.
"""

from __future__ import annotations

import argparse
import json
import time

import torch


def best_seconds(fn, repeats: int) -> float:
    for _ in range(3):
        fn()
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    torch.manual_seed(0)
    a, b = torch.randn(2048, 2048), torch.randn(2048, 2048)
    x, w = torch.randn(16, 32, 48, 48), torch.randn(32, 32, 3, 3)
    conv_flops = 2 * 16 * 48 * 48 * 32 * 32 * 9
    for threads in [int(t) for t in args.threads.split(",")]:
        torch.set_num_threads(threads)
        gemm = best_seconds(lambda: torch.mm(a, b), args.repeats)
        conv = best_seconds(lambda: torch.nn.functional.conv2d(x, w, padding=1), args.repeats)
        print(
            json.dumps(
                {
                    "threads": threads,
                    "torch": torch.__version__,
                    "sgemm_gflops": round(2 * 2048**3 / gemm / 1e9, 1),
                    "conv_gflops": round(conv_flops / conv / 1e9, 1),
                    "conv_ms": round(conv * 1e3, 2),
                }
            )
        )


if __name__ == "__main__":
    main()
