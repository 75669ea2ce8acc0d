#!/usr/bin/python3
"""Reference training step in plain PyTorch, for bench_engine_speed.

Builds the engine's default roots exactly as core/src/model/Network.cpp defines them (same shapes,
pre-LayerNorm ViT with exact-erf GELU, residual CNN with global average pooling and LayerNorm,
LayerNorm epsilon 1e-6, zero-initialised head), trains them with the engine's optimiser (SGD with
momentum, gradients clipped to global norm 1.0, linear warm-up then cosine decay) at the same batch
size on a fixed pool of random batches, and prints one JSON line with the measured samples per
second (wall clock) and per CPU-second (all threads of the process; on a loaded machine this is
the steadier measure of the work a step costs). Written the way a PyTorch user would write it (nn.Module, torch.optim.SGD,
clip_grad_norm_, LambdaLR), so the comparison is against idiomatic Python.

Run with Debian's python3-torch (the same LibTorch as the engine): /usr/bin/python3.
Usage: reference_train_step.py --arch vit|cnn --threads N [--seconds S] [--batch 64]
                               [--frozen-blocks K] [--classes 10]
       reference_train_step.py --generation --threads N [--children 4] [--steps 64]
                               [--validate-every 32] [--validation 1024] [--frozen-blocks 2]
--frozen-blocks K freezes the stem and the first K blocks (no autograd, as the engine's frozen
prefix); -1 freezes every block (only the final norm and the head train).

--generation times a μ2Net generation the way a per-model framework runs it: the built-in root's
architecture (ViT with a convolutional stem, width 64, 4 blocks), and `--children` children of it
trained one after another, each with the stem and the first `--frozen-blocks` blocks frozen
(shared, no autograd), its own copies of the other blocks and the norm, and a new zero head,
trained with AdamW (lr 1e-3, weight decay 1e-4, warm-up + cosine) for `--steps` steps of
`--batch`, validated on `--validation` images in batches of 256 every `--validate-every` steps
(every validation runs the whole route). Prints one JSON line with the wall seconds.
"""
import copy
import argparse
import json
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

EPS = 1e-6  # kLayerNormEps


class VitBlock(nn.Module):
    def __init__(self, d, heads, mlp):
        super().__init__()
        self.heads = heads
        self.ln1 = nn.LayerNorm(d, eps=EPS)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.ln2 = nn.LayerNorm(d, eps=EPS)
        self.fc1 = nn.Linear(d, mlp)
        self.fc2 = nn.Linear(mlp, d)

    def forward(self, x):
        n, t, d = x.shape
        dh = d // self.heads
        qkv = self.qkv(self.ln1(x)).view(n, t, 3, self.heads, dh).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0] * (1.0 / math.sqrt(dh)), qkv[1], qkv[2]
        a = torch.softmax(q @ k.transpose(-2, -1), dim=-1)
        o = (a @ v).transpose(1, 2).reshape(n, t, d)
        x = x + self.proj(o)
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x))))


class ConvStem(nn.Module):
    """log2(patch) 3x3 convolutions of stride 2 (channels d/2^(k-1), ..., d), ReLU between."""

    def __init__(self, d, patch):
        super().__init__()
        k = int(math.log2(patch))
        channels = [d >> (k - 1 - j) for j in range(k)]
        convs, c_in = [], 3
        for c in channels:
            convs.append(nn.Conv2d(c_in, c, 3, stride=2, padding=1))
            c_in = c
        self.convs = nn.ModuleList(convs)

    def forward(self, x):
        for j, conv in enumerate(self.convs):
            x = conv(x)
            if j + 1 < len(self.convs):
                x = F.relu(x)
        return x


class Vit(nn.Module):
    def __init__(self, image=28, patch=4, d=64, heads=4, mlp=128, depth=4, classes=10,
                 conv_stem=False):
        super().__init__()
        g = image // patch
        self.embedding = ConvStem(d, patch) if conv_stem else nn.Conv2d(3, d, patch, stride=patch)
        self.cls = nn.Parameter(torch.zeros(1, 1, d))
        self.posembed = nn.Parameter(torch.randn(1, g * g + 1, d) * 0.02)
        self.blocks = nn.ModuleList(VitBlock(d, heads, mlp) for _ in range(depth))
        self.norm = nn.LayerNorm(d, eps=EPS)
        self.head = nn.Linear(d, classes)

    def stem(self, x):
        x = self.embedding(x).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls.expand(x.shape[0], -1, -1), x], dim=1)
        return x + self.posembed

    def top(self, x):
        return self.head(self.norm(x[:, 0]))


class CnnBlock(nn.Module):
    def __init__(self, w):
        super().__init__()
        self.conv1 = nn.Conv2d(w, w, 3, padding=1)
        self.conv2 = nn.Conv2d(w, w, 3, padding=1)

    def forward(self, x):
        return F.relu(x + self.conv2(F.relu(self.conv1(x))))


class Cnn(nn.Module):
    def __init__(self, w=64, depth=4, classes=10):
        super().__init__()
        self.embedding = nn.Conv2d(3, w, 3, stride=2, padding=1)
        self.blocks = nn.ModuleList(CnnBlock(w) for _ in range(depth))
        self.norm = nn.LayerNorm(w, eps=EPS)
        self.head = nn.Linear(w, classes)

    def stem(self, x):
        return F.relu(self.embedding(x))

    def top(self, x):
        return self.head(self.norm(x.mean((2, 3))))


def forward(model, x, frozen_blocks):
    """The frozen stem and first blocks run under no_grad, as the engine's frozen prefix."""
    with torch.set_grad_enabled(frozen_blocks == 0):
        x = model.stem(x)
    for i, block in enumerate(model.blocks):
        with torch.set_grad_enabled(i >= frozen_blocks):
            x = block(x)
    return model.top(x)


def train_step(model, x, y, frozen_blocks, opt, params, sched):
    """One optimiser step as the engine takes it: loss, backward, clipping to norm 1, update."""
    loss = F.cross_entropy(forward(model, x, frozen_blocks), y)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(params, 1.0)
    opt.step()
    sched.step()
    return loss


def lr_factor(step, total, warmup_ratio=0.05):
    """learningRateAt() of Network.cpp divided by the peak rate."""
    if step >= total:
        return 0.0
    w = min(total, round(warmup_ratio * total))
    if step < w:
        return 0.01 + 0.99 * step / w
    return 0.5 * (1 + math.cos(math.pi * (step - w) / (total - w)))


def generation(args):
    """A generation of children of one root, trained one after another (see the docstring)."""
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    root = Vit(classes=args.classes, conv_stem=True)
    frozen = args.frozen_blocks
    size = 28
    batches = [(torch.rand(args.batch, 3, size, size) * 2 - 1,
                torch.randint(0, args.classes, (args.batch,))) for _ in range(8)]
    validation = torch.rand(args.validation, 3, size, size) * 2 - 1
    validation_labels = torch.randint(0, args.classes, (args.validation,))
    accuracies = []
    start = time.perf_counter()
    for _ in range(args.children):
        child = copy.deepcopy(root)  # the shared parts are frozen, the rest is the child's own
        nn.init.zeros_(child.head.weight)
        nn.init.zeros_(child.head.bias)
        for module in [child.embedding] + list(child.blocks[:frozen]):
            module.requires_grad_(False)
        child.cls.requires_grad_(False)
        child.posembed.requires_grad_(False)
        params = [p for p in child.parameters() if p.requires_grad]
        opt = torch.optim.AdamW(params, lr=1e-3, weight_decay=1e-4)
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: lr_factor(s, args.steps))
        for step in range(args.steps):
            x, y = batches[step % 8]
            train_step(child, x, y, frozen, opt, params, sched)
            if (step + 1) % args.validate_every == 0:
                correct = 0
                with torch.inference_mode():
                    for b in range(0, args.validation, 256):
                        logits = forward(child, validation[b:b + 256], len(child.blocks))
                        correct += (logits.argmax(1) == validation_labels[b:b + 256]).sum().item()
                accuracies.append(correct / args.validation)
    elapsed = time.perf_counter() - start
    print(json.dumps({"mode": "generation", "threads": args.threads, "children": args.children,
                      "steps": args.steps, "frozen_blocks": frozen, "seconds": elapsed,
                      "validations": len(accuracies)}))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--arch", choices=["vit", "cnn"], default="vit")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--classes", type=int, default=10)
    ap.add_argument("--frozen-blocks", type=int, default=0)
    ap.add_argument("--generation", action="store_true")
    ap.add_argument("--children", type=int, default=4)
    ap.add_argument("--steps", type=int, default=64)
    ap.add_argument("--validate-every", type=int, default=32)
    ap.add_argument("--validation", type=int, default=1024)
    args = ap.parse_args()
    if args.generation:
        generation(args)
        return
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    model = Vit(classes=args.classes) if args.arch == "vit" else Cnn(classes=args.classes)
    nn.init.zeros_(model.head.weight)
    nn.init.zeros_(model.head.bias)
    depth = len(model.blocks)
    frozen = depth if args.frozen_blocks < 0 else min(args.frozen_blocks, depth)
    frozen_modules = []
    if frozen > 0:
        frozen_modules = [model.embedding] + list(model.blocks[:frozen])
        for p in [model.cls, model.posembed] if args.arch == "vit" else []:
            p.requires_grad_(False)
    for m in frozen_modules:
        m.requires_grad_(False)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.SGD(params, lr=0.01, momentum=0.9, nesterov=False)
    total = 1_000_000
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: lr_factor(s, total))
    size = 28
    batches = [(torch.rand(args.batch, 3, size, size) * 2 - 1,
                torch.randint(0, args.classes, (args.batch,))) for _ in range(8)]

    def step(i):
        x, y = batches[i % 8]
        return train_step(model, x, y, frozen, opt, params, sched).item()

    for i in range(5):  # warm-up, as the C++ side
        step(i)
    steps = 0
    start = time.perf_counter()
    cpu_start = time.process_time()  # CPU seconds of all threads: robust to other processes
    while True:
        step(steps)
        steps += 1
        elapsed = time.perf_counter() - start
        if elapsed >= args.seconds:
            break
    cpu = time.process_time() - cpu_start
    print(json.dumps({"arch": args.arch, "threads": args.threads, "frozen_blocks": frozen,
                      "steps": steps, "seconds": elapsed, "cpu_seconds": cpu,
                      "samples_per_s": steps * args.batch / elapsed,
                      "samples_per_cpu_s": steps * args.batch / cpu}))


if __name__ == "__main__":
    main()
