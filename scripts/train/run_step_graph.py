"""Runs a Denoise Lab training-step graph on another machine, step after step.

The engine compiles one training step (forward, loss, backward, Adam update) into one ONNX graph;
`denoise-lab train --export-step step.onnx` writes it with a descriptor (step.onnx.json). This
driver feeds it batches, feeds each step's new parameters and optimizer state back in (the
descriptor's `feedback` pairs, exactly as the in-process trainer does), and writes the trained
parameters into the model's inference ONNX file. Two backends run the same graph:

  ort    onnxruntime (CPU, all cores)
  torch  a small interpreter of the graph's ONNX ops on PyTorch tensors (CUDA when available):
         it evaluates the exported nodes one by one, it does no autograd of its own

Data: random patch×patch crops of a folder of photos, drawn in proportion to image area, one of
the 8 symmetries of the square, noise as in main/ml/train/batches.ts (noise-level-map models:
Gaussian σ ~ U[0, σmax], or for half of the samples Poisson–Gaussian shot noise as well, the map
stating the sample's RMS level; a quarter of RGB samples grey with the same noise in every
channel; half of the inputs clipped and quantised to 8 bits).

Usage (see scripts/train/README.md):
  python3 run_step_graph.py --step step.onnx --model init.onnx --data trainset/ --out trained.onnx
      [--backend torch|ort] [--minutes 9] [--lr 1e-3] [--lr-final 1e-3] [--seed 1]
      [--state state.npz] [--save-state state.npz] [--check]
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import onnx
from onnx import numpy_helper


# ---- data ------------------------------------------------------------------------------------

def load_images(folder, channels):
    from PIL import Image

    images = []
    for name in sorted(os.listdir(folder)):
        if not name.lower().endswith((".png", ".jpg", ".jpeg", ".tif", ".tiff", ".webp")):
            continue
        im = Image.open(os.path.join(folder, name))
        im = im.convert("RGB" if channels == 3 else "L")
        a = np.asarray(im, dtype=np.float32) / 255.0
        a = a[None] if a.ndim == 2 else np.transpose(a, (2, 0, 1))
        images.append(np.ascontiguousarray(a))
    if not images:
        sys.exit(f"no images in {folder}")
    return images


class Sampler:
    def __init__(self, images, patch, noise, seed):
        self.images = images
        self.patch = patch
        self.noise = noise
        self.rng = np.random.default_rng(seed)
        areas = np.array([im.shape[1] * im.shape[2] for im in images], dtype=np.float64)
        self.p = areas / areas.sum()

    def crop(self):
        im = self.images[self.rng.choice(len(self.images), p=self.p)]
        _, h, w = im.shape
        y = self.rng.integers(0, h - self.patch + 1)
        x = self.rng.integers(0, w - self.patch + 1)
        c = im[:, y : y + self.patch, x : x + self.patch]
        k = self.rng.integers(0, 8)
        c = np.rot90(c, k % 4, axes=(1, 2))
        if k >= 4:
            c = c[:, :, ::-1]
        return np.ascontiguousarray(c)

    def batch(self, n):
        clean = np.stack([self.crop() for _ in range(n)]).astype(np.float32)
        noisy = np.empty_like(clean)
        level = np.empty((n, 1, self.patch, self.patch), dtype=np.float32)
        kind, sigma_max, photons_min = self.noise
        for i in range(n):
            # A quarter of RGB samples grey, with the same noise in every channel (batches.ts).
            grey = clean.shape[1] == 3 and self.rng.uniform() < 0.25
            if grey:
                clean[i] = np.float32(0.299) * clean[i, 0] + np.float32(0.587) * clean[i, 1] + np.float32(0.114) * clean[i, 2]
            s = clean[i, :1] if grey else clean[i]
            sigma = self.rng.uniform() * sigma_max
            out = s + (sigma / 255.0) * self.rng.standard_normal(s.shape).astype(np.float32)
            lv = sigma
            if kind == "poisson-gaussian" and self.rng.uniform() >= 0.5:
                photons = photons_min * math.exp(self.rng.uniform() * math.log(64))
                shot = self.rng.poisson(np.maximum(s, 0) * photons).astype(np.float32) / photons
                out = shot + (sigma / 255.0) * self.rng.standard_normal(s.shape).astype(np.float32)
                lv = math.sqrt(sigma * sigma + 255.0 * 255.0 * float(np.maximum(s, 0).mean()) / photons)
            if grey:
                out = np.repeat(out, 3, axis=0)
            if self.rng.uniform() < 0.5:
                out = np.round(np.clip(out, 0, 1) * 255.0) / 255.0
            noisy[i] = out
            level[i] = lv / 255.0
        return noisy.astype(np.float32), clean, level


# ---- the torch interpreter --------------------------------------------------------------------

class TorchGraph:
    """Evaluates the ONNX nodes of the step graph with torch ops, in order."""

    def __init__(self, model, device):
        import torch
        import torch.nn.functional as F

        self.torch, self.F, self.device = torch, F, device
        self.nodes = list(model.graph.node)
        self.consts = {}
        for init in model.graph.initializer:
            a = numpy_helper.to_array(init)
            self.consts[init.name] = a
        self.tconsts = {k: self._t(v) for k, v in self.consts.items()}
        self.outputs = [o.name for o in model.graph.output]

    def _t(self, a):
        return self.torch.from_numpy(np.ascontiguousarray(a)).to(self.device)

    def ints(self, name):
        return [int(v) for v in self.consts[name].reshape(-1)]

    def run(self, feeds):
        torch, F = self.torch, self.F
        env = dict(self.tconsts)
        env.update(feeds)
        for n in self.nodes:
            a = {at.name: onnx.helper.get_attribute_value(at) for at in n.attribute}
            x = [env[i] if i else None for i in n.input]
            op = n.op_type
            if op == "Add":
                y = x[0] + x[1]
            elif op == "Sub":
                y = x[0] - x[1]
            elif op == "Mul":
                y = x[0] * x[1]
            elif op == "Div":
                y = x[0] / x[1]
            elif op == "Pow":
                y = torch.pow(x[0], x[1])
            elif op == "Sqrt":
                y = torch.sqrt(x[0])
            elif op == "Neg":
                y = -x[0]
            elif op == "Relu":
                y = torch.relu(x[0])
            elif op == "Identity":
                y = x[0]
            elif op == "Greater":
                y = x[0] > x[1]
            elif op == "Where":
                y = torch.where(x[0], x[1], x[2])
            elif op == "MatMul":
                y = torch.matmul(x[0], x[1])
            elif op == "Transpose":
                y = x[0].permute(*a["perm"])
            elif op == "Reshape":
                shape = self.ints(n.input[1])
                shape = [x[0].shape[i] if d == 0 else d for i, d in enumerate(shape)]
                y = x[0].reshape(shape)
            elif op == "Expand":
                shape = np.broadcast_shapes(tuple(x[0].shape), tuple(self.ints(n.input[1])))
                y = x[0].expand(*shape)
            elif op == "Concat":
                y = torch.cat(x, dim=a["axis"])
            elif op == "ReduceSum":
                axes = self.ints(n.input[1]) if len(n.input) > 1 and n.input[1] else list(range(x[0].dim()))
                y = torch.sum(x[0], dim=axes, keepdim=bool(a.get("keepdims", 1)))
            elif op == "ReduceMean":
                axes = a.get("axes", list(range(x[0].dim())))
                y = torch.mean(x[0], dim=list(axes), keepdim=bool(a.get("keepdims", 1)))
            elif op == "Slice":
                y = self.slice(n, x[0])
            elif op == "Pad":
                y = self.pad(n, a, x)
            elif op == "Conv":
                y = self.conv(a, x)
            elif op == "ConvTranspose":
                y = self.conv_transpose(a, x)
            else:
                raise RuntimeError(f"torch backend: op {op} is not implemented")
            env[n.output[0]] = y
        return {k: env[k] for k in self.outputs}

    def slice(self, n, x):
        starts, ends = self.ints(n.input[1]), self.ints(n.input[2])
        axes = self.ints(n.input[3]) if len(n.input) > 3 and n.input[3] else list(range(len(starts)))
        steps = self.ints(n.input[4]) if len(n.input) > 4 and n.input[4] else [1] * len(starts)
        for s, e, ax, st in zip(starts, ends, axes, steps):
            ax = ax % x.dim()
            dim = x.shape[ax]
            idx = range(*slice(s, e, st).indices(dim))
            if st > 0:
                x = x.narrow(ax, idx.start, len(idx)) if st == 1 else x[(slice(None),) * ax + (slice(idx.start, idx.stop, st),)]
            else:
                x = x.index_select(ax, self.torch.tensor(list(idx), device=self.device, dtype=self.torch.long))
        return x

    def pad(self, n, a, x):
        pads = self.ints(n.input[1])
        value = float(self.consts[n.input[2]].reshape(-1)[0]) if len(n.input) > 2 and n.input[2] else 0.0
        mode = a.get("mode", b"constant")
        mode = mode.decode() if isinstance(mode, bytes) else mode
        r = len(pads) // 2
        tp = []
        for i in reversed(range(r)):
            tp += [pads[i], pads[i + r]]
        if mode == "constant":
            return self.F.pad(x[0], tp, mode="constant", value=value)
        return self.F.pad(x[0], tp[: 2 * (r - 2)], mode={"reflect": "reflect", "edge": "replicate"}[mode])

    def conv(self, a, x):
        pads = list(a.get("pads", [0, 0, 0, 0]))
        strides = list(a.get("strides", [1, 1]))
        dil = list(a.get("dilations", [1, 1]))
        g = a.get("group", 1)
        inp = x[0]
        if pads[0] != pads[2] or pads[1] != pads[3]:
            inp = self.F.pad(inp, [pads[1], pads[3], pads[0], pads[2]])
            padding = 0
        else:
            padding = (pads[0], pads[1])
        b = x[2] if len(x) > 2 else None
        return self.F.conv2d(inp, x[1], b, stride=strides, padding=padding, dilation=dil, groups=g)

    def conv_transpose(self, a, x):
        pads = list(a.get("pads", [0, 0, 0, 0]))
        strides = list(a.get("strides", [1, 1]))
        dil = list(a.get("dilations", [1, 1]))
        op = list(a.get("output_padding", [0, 0]))
        g = a.get("group", 1)
        y = self.F.conv_transpose2d(x[0], x[1], None, stride=strides, padding=0, dilation=dil, groups=g)
        y = self.F.pad(y, [0, op[1], 0, op[0]])
        h, w = y.shape[2], y.shape[3]
        y = y[:, :, pads[0] : h - pads[2], pads[1] : w - pads[3]]
        if len(x) > 2 and x[2] is not None:
            y = y + x[2].reshape(1, -1, 1, 1)
        return y


# ---- driver -----------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--step", required=True)
    ap.add_argument("--model", required=True, help="inference ONNX from `train --steps 0` (initial parameters)")
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--backend", default="torch", choices=["torch", "ort"])
    ap.add_argument("--minutes", type=float, default=9.0)
    ap.add_argument("--max-steps", type=int, default=10**9)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--lr-final", type=float, default=None, help="cosine decay to this lr over --minutes")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--state", help="resume from a state .npz")
    ap.add_argument("--save-state", help="write parameters + optimizer state + step here")
    ap.add_argument("--check", action="store_true", help="first compare the torch backend with onnxruntime on one step")
    args = ap.parse_args()
    log = lambda *m: print(*m, file=sys.stderr, flush=True)

    desc = json.load(open(args.step + ".json"))
    step_model = onnx.load(args.step)
    arch = desc["architecture"]
    net = arch["network"]
    noise = arch.get("noise") or {"type": "gaussian", "sigma": 25}
    noise_spec = (noise["type"], float(noise.get("sigma", 0)), float(noise.get("photons", 0)))
    batch = desc["batch"]
    c, patch, _ = desc["sampleShape"]
    images = load_images(args.data, c)
    sampler = Sampler(images, patch, noise_spec, args.seed)
    log(f"{len(images)} images, batch {batch} of {c}×{patch}×{patch}, noise {noise_spec}")

    # State: parameters from the inference model, zero optimizer slots, or a saved state.
    inf = onnx.load(args.model)
    inits = {i.name: numpy_helper.to_array(i) for i in inf.graph.initializer}
    state = {p["name"]: inits[p["name"]].astype(np.float32) for p in desc["params"]}
    for s in desc["slots"]:
        state[s["input"]] = np.zeros(s["shape"], dtype=np.float32)
    t = 0
    if args.state:
        z = np.load(args.state)
        state = {k: z[k] for k in state}
        t = int(z["__step__"])
        log(f"resumed at step {t}")

    data_names = {d["name"]: d for d in desc["dataInputs"]}

    def feeds_for(noisy, clean, level, lr, step):
        f = dict(state)
        f["x"], f["y"] = noisy, clean
        if "noise_level" in data_names:
            f["noise_level"] = level
        f[desc["lr"]] = np.array(lr, dtype=np.float32)
        f[desc["t"]] = np.array(float(step), dtype=np.float32)
        return f

    ort_sess = None
    if args.backend == "ort" or args.check:
        import onnxruntime as ort

        so = ort.SessionOptions()
        so.intra_op_num_threads = os.cpu_count() or 1
        ort_sess = ort.InferenceSession(args.step, so, providers=["CPUExecutionProvider"])
    tg = None
    if args.backend == "torch" or args.check:
        import torch

        device = "cuda" if torch.cuda.is_available() else "cpu"
        torch.backends.cudnn.benchmark = True
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
        tg = TorchGraph(step_model, device)
        log(f"torch backend on {device}")

    def run(f):
        if args.backend == "ort":
            return ort_sess.run(None, f), [o.name for o in ort_sess.get_outputs()]
        import torch

        with torch.no_grad():
            out = tg.run({k: tg._t(v) for k, v in f.items()})
        names = list(out.keys())
        return [out[k].float().cpu().numpy() for k in names], names

    if args.check:
        noisy, clean, level = sampler.batch(batch)
        f = feeds_for(noisy, clean, level, args.lr, t + 1)
        a = dict(zip([o.name for o in ort_sess.get_outputs()], ort_sess.run(None, f)))
        import torch

        with torch.no_grad():
            b = {k: v.float().cpu().numpy() for k, v in tg.run({k: tg._t(v) for k, v in f.items()}).items()}
        worst = max(float(np.max(np.abs(a[k] - b[k])) / (1e-3 + float(np.max(np.abs(a[k]))))) for k in a)
        log(f"check: loss ort {float(a[desc['loss']]):.8f} torch {float(b[desc['loss']]):.8f}; worst relative difference over all outputs {worst:.2e}")
        if worst > 1e-3:
            sys.exit("check failed: the torch backend disagrees with onnxruntime")

    started = time.time()
    budget = args.minutes * 60
    losses = []
    first = t
    while t - first < args.max_steps and time.time() - started < budget:
        frac = min(1.0, (time.time() - started) / budget)
        lr = args.lr if args.lr_final is None else args.lr_final + (args.lr - args.lr_final) * 0.5 * (1 + math.cos(math.pi * frac))
        noisy, clean, level = sampler.batch(batch)
        outs, names = run(feeds_for(noisy, clean, level, lr, t + 1))
        out = dict(zip(names, outs))
        loss = float(out[desc["loss"]])
        if not math.isfinite(loss):
            sys.exit(f"loss is {loss} at step {t + 1}; stopping (parameters of step {t} kept)")
        for fb in desc["feedback"]:
            state[fb["input"]] = out[fb["output"]]
        t += 1
        losses.append(loss)
        if t % 200 == 0:
            rate = (t - first) / (time.time() - started)
            log(f"step {t}  loss {np.mean(losses[-200:]):.6f}  lr {lr:.2e}  {rate:.1f} steps/s")
    log(f"stopped at step {t} after {time.time() - started:.0f} s")

    for init in inf.graph.initializer:
        if init.name in state:
            init.CopyFrom(numpy_helper.from_array(state[init.name].astype(np.float32), init.name))
    onnx.save(inf, args.out)
    if args.save_state:
        np.savez(args.save_state, __step__=np.array(t), **state)
    json.dump({"steps": t, "final_loss": float(np.mean(losses[-200:])) if losses else None}, sys.stdout)


if __name__ == "__main__":
    main()
