#!/usr/bin/env python3
"""Scores a Criteo-format test file with a model written by
`colony export --format safetensors`, using nothing of Colony's: the file's tensors and
its __metadata__ (model kind and options, data format, the unseen-row rule). Prints one
JSON line: {"scorer", "loader", "model", "rows", "auc", "seen_fraction"}.

The forward pass runs in PyTorch when `import torch` works (tensors loaded with the
`safetensors` package when it is installed, else with the plain reader below), else in
NumPy. Models: lr, fm, dlrm-small, as defined in train/models/.

Usage: python3 bench/score_safetensors.py MODEL.safetensors TEST.tsv [--batch 65536]
"""
import argparse, json, struct, sys
import numpy as np

try:
    import torch
except ImportError:  # the NumPy path scores the same model
    torch = None

DTYPES = {"F32": np.float32, "I64": np.int64, "U32": np.uint32}
M32 = np.uint64(0xFFFFFFFF)


def read_safetensors(path):
    """The plain reader: 8-byte little-endian header length, JSON header, raw bytes."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    meta = header.pop("__metadata__", {})
    base = 8 + n
    tensors = {}
    for name, t in header.items():
        b, e = t["data_offsets"]
        tensors[name] = np.frombuffer(raw, dtype=DTYPES[t["dtype"]], count=(e - b) // np.dtype(DTYPES[t["dtype"]]).itemsize,
                                      offset=base + b).reshape(t["shape"])
    return meta, tensors


def load(path):
    """(metadata, {name: numpy array}, loader name)."""
    meta, tensors = read_safetensors(path)
    if torch is not None:
        try:
            from safetensors.torch import load_file
            return meta, {k: v.numpy() for k, v in load_file(path).items()}, "safetensors"
        except ImportError:
            pass
    return meta, tensors, "plain reader"


# --- the unseen-row rule: train/models/init-hash.ts, in uint32 arithmetic ---------------
def imul(a, b):
    return (np.asarray(a, dtype=np.uint64) * np.uint64(b)) & M32


def fmix32(x):
    h = np.asarray(x, dtype=np.uint64) & M32
    h ^= h >> np.uint64(16)
    h = imul(h, 0x85EBCA6B)
    h ^= h >> np.uint64(13)
    h = imul(h, 0xC2B2AE35)
    h ^= h >> np.uint64(16)
    return h


def row_key(seed, table, ids):
    h = fmix32(np.uint64((seed & 0xFFFFFFFF) ^ 0x9E3779B9))
    h = fmix32(h ^ imul(table + 1, 0x27D4EB2D))
    return fmix32(h ^ np.asarray(ids, dtype=np.uint64))


def initial_rows(rule, field, ids, dim):
    out = np.zeros((len(ids), dim), dtype=np.float32)
    if rule["zero"] == "all" or len(ids) == 0:
        return out
    key = row_key(rule["seed"], field, ids)
    bound = float(rule["bound"])
    for i in range(dim):
        if i in rule["zero"]:
            continue
        h = fmix32((key + imul(i + 1, 0x165667B1)) & M32)
        out[:, i] = (((h >> np.uint64(8)).astype(np.float64) / 16777216.0) * 2 * bound - bound).astype(np.float32)
    return out


# --- data: the Criteo TSV parser of train/data/criteo-parser.ts --------------------------
def read_criteo(path, modulo):
    labels, dense, cat = [], [], []
    with open(path) as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) != 40 or p[0] not in ("0", "1"):
                continue
            labels.append(float(p[0]))
            dense.append([float(x) if x else 0.0 for x in p[1:14]])
            cat.append([int(x, 16) % modulo if x else modulo for x in p[14:40]])
    d = np.log1p(np.maximum(np.array(dense, dtype=np.float64), 0)).astype(np.float32)
    return np.array(labels, dtype=np.float32), d, np.array(cat, dtype=np.int64)


def auc(y, s):
    """ROC AUC with ties counted one half (average ranks)."""
    order = np.argsort(s, kind="mergesort")
    s_sorted = s[order]
    y_sorted = y[order]
    ranks = np.empty(len(s), dtype=np.float64)
    starts = np.flatnonzero(np.r_[True, s_sorted[1:] != s_sorted[:-1]])
    ends = np.r_[starts[1:], len(s)]
    for b, e in zip(starts, ends):
        ranks[b:e] = (b + e + 1) / 2.0
    pos = float(y_sorted.sum())
    neg = len(y) - pos
    return float((ranks[y_sorted > 0.5].sum() - pos * (pos + 1) / 2) / (pos * neg))


def gather_rows(meta, tensors, cat):
    """Per field, the rows of the test ids: the exported row when present, else the initial one."""
    rule = json.loads(meta["unseen_rows"])
    tables = json.loads(meta["embedding_tables"])
    out, seen = [], 0
    for f, name in enumerate(tables):
        ids = tensors[f"{name}.ids"]
        weight = tensors[f"{name}.weight"]
        col = cat[:, f]
        at = np.minimum(np.searchsorted(ids, col), max(len(ids) - 1, 0))
        found = (ids[at] == col) if len(ids) else np.zeros(len(col), dtype=bool)
        rows = np.empty((len(col), weight.shape[1]), dtype=np.float32)
        rows[found] = weight[at[found]]
        missing, inverse = np.unique(col[~found], return_inverse=True)
        rows[~found] = initial_rows(rule, f, missing, weight.shape[1])[inverse]
        out.append(rows)
        seen += int(found.sum())
    return out, seen / max(1, cat.size)


def logits_numpy(kind, t, dense, emb):
    if kind in ("lr", "fm"):
        z = t["bias"].astype(np.float64)[0] + dense.astype(np.float64) @ t["dense.weight"].astype(np.float64)
        z = z + sum(e[:, 0].astype(np.float64) for e in emb)
        if kind == "fm":
            v = np.stack([e[:, 1:] for e in emb], axis=1).astype(np.float64)
            z = z + 0.5 * ((v.sum(axis=1) ** 2).sum(axis=1) - (v ** 2).sum(axis=(1, 2)))
        return z
    lin = lambda x, n: x @ t[f"{n}.weight"].T + t[f"{n}.bias"]
    relu = lambda x: np.maximum(x, 0)
    h = relu(lin(relu(lin(dense, "bottom.0")), "bottom.1"))
    z = np.concatenate([h] + emb, axis=1)
    return lin(relu(lin(relu(lin(z, "top.0")), "top.1")), "top.2")[:, 0]


def logits_torch(kind, t, dense, emb):
    # The dense tensors only (small), copied: the reader's arrays are read-only views.
    T = {k: torch.from_numpy(np.array(v)) for k, v in t.items() if not k.startswith("embeddings.")}
    F = torch.nn.functional
    with torch.no_grad():
        if kind in ("lr", "fm"):
            # Colony sums these logits in float64: so does this.
            z = T["bias"].double()[0] + torch.from_numpy(dense).double() @ T["dense.weight"].double()
            E = torch.stack([torch.from_numpy(e) for e in emb], dim=1).double()
            z = z + E[:, :, 0].sum(dim=1)
            if kind == "fm":
                v = E[:, :, 1:]
                z = z + 0.5 * ((v.sum(dim=1) ** 2).sum(dim=1) - (v ** 2).sum(dim=(1, 2)))
            return z.numpy()
        x = torch.from_numpy(dense)
        h = F.relu(F.linear(F.relu(F.linear(x, T["bottom.0.weight"], T["bottom.0.bias"])), T["bottom.1.weight"], T["bottom.1.bias"]))
        z = torch.cat([h] + [torch.from_numpy(e) for e in emb], dim=1)
        h3 = F.relu(F.linear(z, T["top.0.weight"], T["top.0.bias"]))
        h4 = F.relu(F.linear(h3, T["top.1.weight"], T["top.1.bias"]))
        return F.linear(h4, T["top.2.weight"], T["top.2.bias"])[:, 0].numpy()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model"); ap.add_argument("test")
    ap.add_argument("--batch", type=int, default=65536)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    meta, tensors, loader = load(a.model)
    if meta.get("format") != "colony.model":
        sys.exit(f"{a.model}: not a Colony model export (metadata format {meta.get('format')!r})")
    kind = meta["model"]
    data = json.loads(meta["data"])
    if data["format"] != "criteo":
        sys.exit(f"this scorer reads Criteo TSV only; the model was trained on {data['format']}")
    if torch is not None:
        torch.set_num_threads(a.threads)
    y, dense, cat = read_criteo(a.test, data["idModulo"])
    forward = logits_torch if torch is not None else logits_numpy
    scores, seen = [], []
    for i in range(0, len(y), a.batch):
        emb, s = gather_rows(meta, tensors, cat[i:i + a.batch])
        z = forward(kind, tensors, dense[i:i + a.batch], emb)
        scores.append((1.0 / (1.0 + np.exp(-np.asarray(z, dtype=np.float64)))).astype(np.float32))
        seen.append(s * len(emb[0]))
    p = np.concatenate(scores)
    scorer = f"pytorch {torch.__version__}" if torch is not None else f"numpy {np.__version__} (no torch)"
    print(json.dumps({"scorer": scorer, "loader": loader, "model": kind, "rows": int(len(y)),
                      "auc": auc(y, p), "seen_fraction": round(sum(seen) / max(1, len(y)), 4)}))


if __name__ == "__main__":
    main()
