"""Peer for `npm run bench:quality`: scikit-image NL-means on the benchmark's noisy images.

Reads a JSON list of jobs on stdin: [{"in": "noisy.npy", "out": "denoised.npy"}, ...], where each
.npy is float32 C×H×W in [0, 1] (values outside [0, 1] allowed for unclipped noise). For each job,
runs `denoise_nl_means` in fast mode with σ estimated by `estimate_sigma` (the recipe of
scikit-image's own NL-means example: h = 0.8·σ̂, patch 5×5, search distance 6) and writes the
result as float32 C×H×W. Prints one JSON document on stdout: {"skimage": version, "seconds": [...]}.
"""
import json
import sys
import time

import numpy as np
import skimage
from skimage.restoration import denoise_nl_means, estimate_sigma


def main() -> None:
    jobs = json.load(sys.stdin)
    seconds = []
    for job in jobs:
        chw = np.load(job["in"]).astype(np.float64)
        img = np.transpose(chw, (1, 2, 0))  # H×W×C
        t0 = time.perf_counter()
        if img.shape[2] == 1:
            plane = img[:, :, 0]
            sigma = float(estimate_sigma(plane))
            out = denoise_nl_means(plane, h=0.8 * sigma, sigma=sigma, fast_mode=True, patch_size=5, patch_distance=6)[:, :, None]
        else:
            sigma = float(np.mean(estimate_sigma(img, channel_axis=-1)))
            out = denoise_nl_means(img, h=0.8 * sigma, sigma=sigma, fast_mode=True, patch_size=5, patch_distance=6, channel_axis=-1)
        seconds.append(time.perf_counter() - t0)
        np.save(job["out"], np.ascontiguousarray(np.transpose(out, (2, 0, 1))).astype(np.float32))
    json.dump({"skimage": skimage.__version__, "seconds": seconds}, sys.stdout)


if __name__ == "__main__":
    main()
