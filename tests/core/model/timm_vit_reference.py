#!/usr/bin/python3
"""Reference models for tst_timm_import_torch: small random ViTs saved as timm would save them.

Writes, into --out:
  vit.safetensors      width 24, 3 heads, MLP 48, depth 2, patch 4, native 16 px, 5-class head,
                       all F32, "num_heads" recorded in __metadata__
  mixed.safetensors    the same architecture, other weights, stored in turn as F16, BF16, F64
                       and F32, "heads" recorded in __metadata__
  noclass.safetensors  width 32, 4 heads (not recorded), MLP 64, depth 3, patch 4, native 12 px,
                       3-class head, a "no_embed_class" pos_embed [1, g*g, D], no qkv biases
  reference.safetensors  the input images (values in [-1, 1]) and the logits of each model at its
                       native size and at a larger one, computed in float64 from exactly the
                       values the files hold

The forward pass is timm's VisionTransformer written out in plain PyTorch: patch convolution,
class token, position embedding, pre-LN blocks with fused qkv split as timm splits it, exact GELU,
LayerNorm eps 1e-6, final norm, class token, head. At an image size other than the native one,
pos_embed is resampled over its grid with bilinear interpolation, align_corners=False, the class
slot kept unchanged: the convention of the engine's resizePosEmbed (timm itself defaults to
bicubic). Only torch and the standard library are used; the .safetensors format is written by
hand. Run it with Debian's /usr/bin/python3 (python3-torch).
"""
import argparse
import json
import os
import struct

import torch
import torch.nn.functional as F

DTYPE_CODES = {
    torch.float16: "F16",
    torch.bfloat16: "BF16",
    torch.float32: "F32",
    torch.float64: "F64",
}
LN_EPS = 1e-6


def tensor_bytes(t):
    t = t.detach().contiguous().cpu()
    # Reinterpret as integers of the same width: numpy has no bfloat16. Little-endian host.
    as_int = {2: torch.int16, 4: torch.int32, 8: torch.int64}[t.element_size()]
    return t.view(as_int).numpy().tobytes()


def write_safetensors(path, tensors, metadata=None):
    """tensors: list of (name, tensor) in file order."""
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    blobs, offset = [], 0
    for name, t in tensors:
        data = tensor_bytes(t)
        header[name] = {
            "dtype": DTYPE_CODES[t.dtype],
            "shape": list(t.shape),
            "data_offsets": [offset, offset + len(data)],
        }
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)  # the format's writers pad the header to 8 bytes
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def make_vit(gen, width, depth, mlp, patch, grid, classes, class_slot, qkv_bias):
    """A random ViT state dict with timm's names, in timm's order (float32)."""
    def rnd(*shape, std):
        return torch.randn(*shape, generator=gen, dtype=torch.float32) * std

    d = width
    p = {}
    p["cls_token"] = rnd(1, 1, d, std=0.5)
    p["pos_embed"] = rnd(1, grid * grid + (1 if class_slot else 0), d, std=0.5)
    p["patch_embed.proj.weight"] = rnd(d, 3, patch, patch, std=(3 * patch * patch) ** -0.5)
    p["patch_embed.proj.bias"] = rnd(d, std=0.1)
    for i in range(depth):
        b = f"blocks.{i}."
        p[b + "norm1.weight"] = 1 + rnd(d, std=0.2)
        p[b + "norm1.bias"] = rnd(d, std=0.1)
        p[b + "attn.qkv.weight"] = rnd(3 * d, d, std=d ** -0.5)
        if qkv_bias:
            p[b + "attn.qkv.bias"] = rnd(3 * d, std=0.1)
        p[b + "attn.proj.weight"] = rnd(d, d, std=d ** -0.5)
        p[b + "attn.proj.bias"] = rnd(d, std=0.1)
        p[b + "norm2.weight"] = 1 + rnd(d, std=0.2)
        p[b + "norm2.bias"] = rnd(d, std=0.1)
        p[b + "mlp.fc1.weight"] = rnd(mlp, d, std=d ** -0.5)
        p[b + "mlp.fc1.bias"] = rnd(mlp, std=0.1)
        p[b + "mlp.fc2.weight"] = rnd(d, mlp, std=mlp ** -0.5)
        p[b + "mlp.fc2.bias"] = rnd(d, std=0.1)
    p["norm.weight"] = 1 + rnd(d, std=0.2)
    p["norm.bias"] = rnd(d, std=0.1)
    p["head.weight"] = rnd(classes, d, std=d ** -0.5)
    p["head.bias"] = rnd(classes, std=0.1)
    return p


def resample_pos_embed(pos, class_slot, new_grid):
    """Bilinear, align_corners=False over the grid; the class slot (if any) unchanged."""
    d = pos.shape[-1]
    prefix = pos[:, :1] if class_slot else pos[:, :0]
    grid_tokens = pos[:, 1:] if class_slot else pos
    g = int(round(grid_tokens.shape[1] ** 0.5))
    grid = grid_tokens.reshape(1, g, g, d).permute(0, 3, 1, 2)
    grid = F.interpolate(grid, size=(new_grid, new_grid), mode="bilinear", align_corners=False)
    grid = grid.permute(0, 2, 3, 1).reshape(1, new_grid * new_grid, d)
    return torch.cat([prefix, grid], dim=1)


def attention(x, p, b, heads):
    n, t, c = x.shape
    qkv_bias = p.get(b + "attn.qkv.bias")
    # timm's Attention.forward: one projection, then reshape(B, N, 3, heads, dh).permute(2,0,3,1,4)
    qkv = F.linear(x, p[b + "attn.qkv.weight"], qkv_bias)
    qkv = qkv.reshape(n, t, 3, heads, c // heads).permute(2, 0, 3, 1, 4)
    q, k, v = qkv.unbind(0)
    q = q * (c // heads) ** -0.5
    a = (q @ k.transpose(-2, -1)).softmax(dim=-1)
    out = (a @ v).transpose(1, 2).reshape(n, t, c)
    return F.linear(out, p[b + "attn.proj.weight"], p[b + "attn.proj.bias"])


def vit_forward(p, images, heads, patch, depth, class_slot):
    """timm's VisionTransformer.forward (class-token pooling) for a state dict p."""
    d = p["cls_token"].shape[-1]
    x = F.conv2d(images, p["patch_embed.proj.weight"], p["patch_embed.proj.bias"], stride=patch)
    x = x.flatten(2).transpose(1, 2)  # [N, g*g, D], row-major patch order
    grid = images.shape[-1] // patch
    pos = p["pos_embed"]
    if pos.shape[1] != grid * grid + (1 if class_slot else 0):
        pos = resample_pos_embed(pos, class_slot, grid)
    cls = p["cls_token"].expand(x.shape[0], -1, -1)
    if class_slot:
        x = torch.cat([cls, x], dim=1) + pos
    else:  # no_embed_class: positions for the patches only, the class token goes in after
        x = torch.cat([cls, x + pos], dim=1)
    for i in range(depth):
        b = f"blocks.{i}."
        x = x + attention(F.layer_norm(x, (d,), p[b + "norm1.weight"], p[b + "norm1.bias"],
                                       LN_EPS), p, b, heads)
        h = F.layer_norm(x, (d,), p[b + "norm2.weight"], p[b + "norm2.bias"], LN_EPS)
        h = F.gelu(F.linear(h, p[b + "mlp.fc1.weight"], p[b + "mlp.fc1.bias"]))
        x = x + F.linear(h, p[b + "mlp.fc2.weight"], p[b + "mlp.fc2.bias"])
    x = F.layer_norm(x, (d,), p["norm.weight"], p["norm.bias"], LN_EPS)
    return F.linear(x[:, 0], p["head.weight"], p["head.bias"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="folder to write the files into")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    gen = torch.Generator().manual_seed(20240611)

    models = [
        # name, file dtypes, metadata, arch, sizes to evaluate
        ("vit", [torch.float32], {"format": "pt", "num_heads": "3"},
         dict(width=24, heads=3, depth=2, mlp=48, patch=4, grid=4, classes=5, class_slot=True,
              qkv_bias=True), [16, 28]),
        ("mixed", [torch.float16, torch.bfloat16, torch.float64, torch.float32], {"heads": "3"},
         dict(width=24, heads=3, depth=2, mlp=48, patch=4, grid=4, classes=5, class_slot=True,
              qkv_bias=True), [16, 28]),
        ("noclass", [torch.float32], None,
         dict(width=32, heads=4, depth=3, mlp=64, patch=4, grid=3, classes=3, class_slot=False,
              qkv_bias=False), [12, 20]),
    ]
    reference = []
    images = {}
    for size in sorted({s for *_, sizes in models for s in sizes}):
        images[size] = torch.rand(6, 3, size, size, generator=gen) * 2 - 1
        reference.append((f"images_{size}", images[size]))
    for name, dtypes, metadata, a, sizes in models:
        p = make_vit(gen, a["width"], a["depth"], a["mlp"], a["patch"], a["grid"], a["classes"],
                     a["class_slot"], a["qkv_bias"])
        stored = [(k, v.to(dtypes[i % len(dtypes)])) for i, (k, v) in enumerate(p.items())]
        write_safetensors(os.path.join(args.out, name + ".safetensors"), stored, metadata)
        # The reference sees exactly what the engine will: stored values, rounded to float32.
        exact = {k: v.to(torch.float32).to(torch.float64) for k, v in stored}
        for size in sizes:
            with torch.no_grad():
                logits = vit_forward(exact, images[size].to(torch.float64), a["heads"],
                                     a["patch"], a["depth"], a["class_slot"])
            reference.append((f"logits_{name}_{size}", logits.to(torch.float32)))
    write_safetensors(os.path.join(args.out, "reference.safetensors"), reference)
    print(json.dumps({"written": [m[0] for m in models] + ["reference"]}))


if __name__ == "__main__":
    main()
