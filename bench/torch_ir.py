"""PyTorch yardstick for `npm run bench:train`: runs the *same* hilbertq graph IR (exported as
JSON + weights.bin by bench/train.ts) in PyTorch, single-threaded, and prints forward and
train-step milliseconds as JSON. Benchmark only; the product never depends on PyTorch.

usage: python3 torch_ir.py MODEL_DIR BATCH HEIGHT WIDTH REPEATS
"""
import json
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)


def load(model_dir):
    with open(f"{model_dir}/graph.json") as f:
        graph = json.load(f)
    raw = np.fromfile(f"{model_dir}/weights.bin", dtype="<f4")
    params = {}
    with open(f"{model_dir}/model.json") as f:
        manifest = json.load(f)
    for p in manifest["params"]:
        size = int(np.prod(p["shape"]))
        start = p["offset"] // 4
        value = torch.tensor(raw[start:start + size].reshape(p["shape"]))
        if len(p["shape"]) == 4:  # conv kernels are HWIO in the IR
            value = value.permute(3, 2, 0, 1).contiguous()
        params[p["name"]] = torch.nn.Parameter(value)
    return graph, params


def run(graph, params, inputs):
    values = dict(inputs)

    def arg(name):
        return values[name] if name in values else params[name]

    for node in graph["nodes"]:
        op, a, xs = node["op"], node["attrs"], [arg(i) for i in node["inputs"]]
        x = xs[0]
        if op == "affine":
            y = x * a["scale"] + a["bias"]
        elif op == "conv2d":
            y = F.conv2d(x, xs[1], xs[2], stride=a["stride"], padding=a["pad"], dilation=a["dilation"])
        elif op == "relu":
            y = F.relu(x)
        elif op == "relu6":
            y = F.relu6(x)
        elif op == "sigmoid":
            y = torch.sigmoid(x)
        elif op == "add":
            y = x + xs[1]
        elif op == "mul":
            y = x * xs[1]
        elif op == "concat":
            y = torch.cat(xs, dim=1)
        elif op == "resize":
            mode = "bilinear" if a["mode"] == "bilinear" else "nearest"
            kwargs = {"align_corners": False} if mode == "bilinear" else {}
            y = F.interpolate(x, scale_factor=a["scale"], mode=mode, **kwargs)
        elif op == "pad":
            y = F.pad(x, (a["left"], a["right"], a["top"], a["bottom"]))
        elif op == "slice":
            length = x.shape[a["axis"]]
            end = length if a["end"] is None else (length + a["end"] if a["end"] < 0 else a["end"])
            y = x.narrow(a["axis"], a["start"], end - a["start"])
        elif op == "reduceMean":
            y = x.mean(dim=1, keepdim=True)
        elif op == "toTokens":
            y = x.flatten(2).transpose(1, 2)
        elif op == "fromTokens":
            ref = xs[1]
            y = x.transpose(1, 2).reshape(x.shape[0], x.shape[2], ref.shape[2], ref.shape[3])
        elif op == "matMul":
            y = torch.matmul(x, xs[1])
        elif op == "softmax":
            y = torch.softmax(x, dim=-1)
        elif op == "layerNorm":
            y = F.layer_norm(x, (x.shape[-1],), xs[1], xs[2], a["epsilon"])
        elif op == "transpose":
            y = x.permute(*a["perm"])
        elif op == "reshape":
            y = x.reshape([x.shape[i] if d == 0 else d for i, d in enumerate(a["shape"])])
        elif op == "matchingCost":
            right, shift = xs[1], a["maxShift"]
            padded = F.pad(right, (shift, 0, 0, 0))
            width = x.shape[3]
            planes = []
            for d in range(shift + 1):
                shifted = padded[:, :, :, shift - d : shift - d + width]
                per = (x - shifted) ** 2 if a["metric"] == "ssd" else x * shifted
                planes.append(per.mean(dim=1, keepdim=True))
            y = torch.cat(planes, dim=1)
        else:
            raise ValueError(f"op {op} has no PyTorch mapping")
        values[node["name"]] = y
    return values[graph["output"]]


def median_ms(fn, repeats):
    fn()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return float(np.median(times))


def main():
    model_dir, batch, height, width, repeats = sys.argv[1], *map(int, sys.argv[2:6])
    graph, params = load(model_dir)
    gen = torch.Generator().manual_seed(0)
    left = torch.rand(batch, 3, height, width, generator=gen)
    right = torch.rand(batch, 3, height, width, generator=gen)
    target = torch.rand(batch, graph["outputChannels"], height, width, generator=gen)
    opt = torch.optim.Adam(params.values(), lr=1e-4)

    def forward():
        with torch.no_grad():
            run(graph, params, {"left": left, "right": right})

    def step():
        opt.zero_grad()
        loss = (run(graph, params, {"left": left, "right": right}) - target).abs().mean()
        loss.backward()
        opt.step()

    result = {"torch": torch.__version__, "threads": torch.get_num_threads(),
              "forward_ms": median_ms(forward, repeats), "step_ms": median_ms(step, repeats)}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
