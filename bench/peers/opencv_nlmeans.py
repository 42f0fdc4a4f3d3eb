"""Peer for `npm run bench:real`: OpenCV's fastNlMeansDenoisingColored (Debian python3-opencv).

Reads a JSON list of jobs on stdin: [{"in": "noisy.npy", "out": "denoised.npy", "sigma": s}, ...],
where each .npy is float32 3×H×W (or 1×H×W for a grey photo) in [0, 1] (an 8-bit photo) and `sigma` is the noise σ on the 0–255
scale estimated by the benchmark (the app's wavelet-MAD estimator: the same Donoho–Johnstone
estimate as scikit-image's `estimate_sigma`, averaged over channels), so OpenCV is as blind as the
other methods. Mapping from σ̂ to OpenCV's parameters (our choice; OpenCV documents none): h =
hColor = σ̂ on the 0–255 scale (h filters the L channel of its internal CIELAB copy, hColor the two
colour channels), templateWindowSize 7 and searchWindowSize 21 (OpenCV's defaults). The library's
thread pool is pinned to $THREADS. Writes float32 C×H×W in [0, 1]; prints one JSON document on
stdout: {"opencv": version, "seconds": [...]} (seconds of the denoising call alone, per job).
"""
import json
import os
import sys
import time

import cv2
import numpy as np


def main() -> None:
    cv2.setNumThreads(int(os.environ.get("THREADS", "1")))
    jobs = json.load(sys.stdin)
    seconds = []
    for job in jobs:
        chw = np.load(job["in"])
        h = float(job["sigma"])
        if chw.shape[0] == 1:
            # A grey photo (bench:real's white-noise setting keeps grey photos grey): the
            # single-channel version of the same filter, h as above.
            grey = np.clip(np.rint(chw[0] * 255.0), 0, 255).astype(np.uint8)
            t0 = time.perf_counter()
            out = cv2.fastNlMeansDenoising(grey, None, h, 7, 21)
            seconds.append(time.perf_counter() - t0)
            np.save(job["out"], np.ascontiguousarray(out[None].astype(np.float32) / 255.0))
            continue
        # RGB planes → H×W×3 BGR bytes, as OpenCV expects.
        bgr = np.ascontiguousarray(np.transpose(chw[::-1], (1, 2, 0)))
        bgr = np.clip(np.rint(bgr * 255.0), 0, 255).astype(np.uint8)
        t0 = time.perf_counter()
        out = cv2.fastNlMeansDenoisingColored(bgr, None, h, h, 7, 21)
        seconds.append(time.perf_counter() - t0)
        rgb = np.transpose(out, (2, 0, 1))[::-1].astype(np.float32) / 255.0
        np.save(job["out"], np.ascontiguousarray(rgb))
    json.dump({"opencv": cv2.__version__, "seconds": seconds}, sys.stdout)


if __name__ == "__main__":
    main()
