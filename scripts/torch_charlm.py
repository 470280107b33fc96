#!/usr/bin/env python3
"""PyTorch CPU reference for the standard char-RNN benchmark configurations (`rnn bench --help` lists them).

Set-up (Debian): apt-get install -y python3-torch libopenblas0-openmp
  (without libopenblas0-openmp, Debian's torch uses the reference BLAS and runs ~10x slower
  than a normal PyTorch install: not a fair comparison.)

usage:
  torch_charlm.py train  CFG THREADS [--impl nn|loop] [--budget SEC]
  torch_charlm.py eval   CFG THREADS [--budget SEC]
  torch_charlm.py sample {lstm128|lstm512x2} THREADS
Prints one JSON line. Input is a dense one-hot of the 65-char vocabulary (as char-rnn).
Training throughput = B*T chars / seconds per optimizer step, median of 3 timed repetitions.
Compare against the best of THREADS=1 and THREADS=2: on 2 cores one thread is sometimes faster.
"""
import argparse
import json
import os
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

CORPUS = os.environ.get("CORPUS", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "corpora", "tinyshakespeare.txt"))

CFGS = {
    # name: (cell, hidden, layers, batch, seq, optimizer)
    "C1": ("rnn", 100, 1, 1, 25, "adagrad"),
    "C2": ("lstm", 128, 1, 32, 64, "adam"),
    "C3": ("lstm", 256, 2, 32, 64, "adam"),
    "C4": ("lstm", 512, 2, 64, 100, "adam"),
    "C5": ("gru", 256, 2, 32, 64, "adam"),
    "C6": ("rnn", 256, 1, 32, 64, "adam"),
}


def flops_per_char_fwd(cell, H, L, V):
    gates = {"rnn": 1, "lstm": 4, "gru": 3}[cell]
    f = 0
    inp = V
    for _ in range(L):
        f += 2 * gates * H * (H + inp)
        inp = H
    return f + 2 * H * V


def load_data():
    text = open(CORPUS, encoding="utf-8").read()
    chars = sorted(set(text))
    stoi = {c: i for i, c in enumerate(chars)}
    data = torch.tensor([stoi[c] for c in text], dtype=torch.long)
    return data, len(chars)


class CharRNN(nn.Module):
    def __init__(self, cell, V, H, L):
        super().__init__()
        self.V = V
        if cell == "lstm":
            self.rnn = nn.LSTM(V, H, L)
        elif cell == "gru":
            self.rnn = nn.GRU(V, H, L)
        else:
            self.rnn = nn.RNN(V, H, L, nonlinearity="tanh")
        self.out = nn.Linear(H, V)

    def forward(self, x, state=None):  # x: (T, B) long
        h, state = self.rnn(F.one_hot(x, self.V).float(), state)
        return self.out(h), state


class LoopRNN(nn.Module):
    """min-char-rnn written the way a small-model PyTorch user would: explicit per-timestep loop."""

    def __init__(self, V, H):
        super().__init__()
        self.V = V
        self.Wxh = nn.Parameter(torch.randn(V, H) * 0.01)
        self.Whh = nn.Parameter(torch.randn(H, H) * 0.01)
        self.Why = nn.Parameter(torch.randn(H, V) * 0.01)
        self.bh = nn.Parameter(torch.zeros(H))
        self.by = nn.Parameter(torch.zeros(V))

    def forward(self, x, h=None):  # x: (T, B)
        T, B = x.shape
        if h is None:
            h = torch.zeros(B, self.Whh.shape[0])
        xs = F.one_hot(x, self.V).float()
        ys = []
        for t in range(T):
            h = torch.tanh(xs[t] @ self.Wxh + h @ self.Whh + self.bh)
            ys.append(h @ self.Why + self.by)
        return torch.stack(ys), h


def detach(state):
    if state is None:
        return None
    if isinstance(state, tuple):
        return tuple(s.detach() for s in state)
    return state.detach()


def train(args):
    cell, H, L, B, T, opt_name = CFGS[args.cfg]
    data, V = load_data()
    torch.manual_seed(0)
    model = LoopRNN(V, H) if args.impl == "loop" else CharRNN(cell, V, H, L)
    if opt_name == "adagrad":
        opt = torch.optim.Adagrad(model.parameters(), lr=0.1)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    N = data.numel()
    stride = (N - T - 1) // B
    offs = torch.arange(B) * stride
    pos = [0]
    state = [None]

    def step():
        p = pos[0]
        if p + T + 1 > stride:
            p = 0
            state[0] = None
        idx = offs[None, :] + p + torch.arange(T + 1)[:, None]  # (T+1, B)
        chunk = data[idx]
        x, y = chunk[:-1], chunk[1:]
        logits, st = model(x, detach(state[0]))
        loss = F.cross_entropy(logits.reshape(-1, V), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if opt_name == "adagrad":
            for prm in model.parameters():
                prm.grad.clamp_(-5, 5)
        else:
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        state[0] = st
        pos[0] = p + T
        return loss.item()

    t0 = time.perf_counter()
    for _ in range(args.warmup):
        step()
    warm = (time.perf_counter() - t0) / args.warmup
    # >= 20 steps and >= ~1 s per rep; but keep the 3 reps within --budget seconds
    # (reported as steps_per_rep when it had to go below 20)
    steps = max(20, int(1.0 / warm) + 1)
    if warm * steps * 3 > args.budget:
        steps = max(args.min_steps, int(args.budget / 3 / warm))
    rates = []
    for _ in range(3):
        t = time.perf_counter()
        for _ in range(steps):
            loss = step()
        dt = time.perf_counter() - t
        rates.append(B * T * steps / dt)
    fpc = 3 * (flops_per_char_fwd(cell, H, L, V) if args.impl == "nn" else flops_per_char_fwd("rnn", H, 1, V))
    med = statistics.median(rates)
    return dict(mode="train", cfg=args.cfg, impl=args.impl, threads=args.threads, B=B, T=T,
                warmup=args.warmup, steps_per_rep=steps, reps=3, chars_per_s=round(med, 1), reps_chars_per_s=[round(r, 1) for r in rates],
                ms_per_step=round(1000 * B * T / med, 2), train_flops_per_char=fpc,
                gflops=round(med * fpc / 1e9, 3), final_loss=round(loss, 4))


@torch.no_grad()
def evaluate(args):
    cell, H, L, B, T, _ = CFGS[args.cfg]
    B = 32
    data, V = load_data()
    torch.manual_seed(0)
    model = CharRNN(cell, V, H, L).eval()
    total = 100_000
    per_stream = total // B
    streams = data[: per_stream * B].view(B, per_stream).t().contiguous()  # (per_stream, B)

    def run(limit_s):
        state = None
        done = 0
        t = time.perf_counter()
        for s in range(0, per_stream - 1, T):
            x = streams[s : min(s + T, per_stream - 1)]
            y = streams[s + 1 : s + 1 + x.shape[0]]
            logits, state = model(x, state)
            F.cross_entropy(logits.reshape(-1, V), y.reshape(-1))
            done += x.numel()
            if time.perf_counter() - t > limit_s:
                break
        return done, time.perf_counter() - t

    run(2.0)  # warm-up
    rates, chars = [], []
    for _ in range(3):
        d, dt = run(args.budget / 3)
        rates.append(d / dt)
        chars.append(d)
    fpc = flops_per_char_fwd(cell, H, L, V)
    med = statistics.median(rates)
    return dict(mode="eval", cfg=args.cfg, threads=args.threads, B=B, T=T, chars_per_rep=chars,
                chars_per_s=round(med, 1), reps_chars_per_s=[round(r, 1) for r in rates],
                fwd_flops_per_char=fpc, gflops=round(med * fpc / 1e9, 3))


@torch.no_grad()
def sample(args):
    H, L = {"lstm128": (128, 1), "lstm512x2": (512, 2)}[args.cfg]
    _, V = load_data()
    torch.manual_seed(0)
    model = CharRNN("lstm", V, H, L).eval()
    n = 2000

    def gen():
        x = torch.zeros(1, 1, dtype=torch.long)
        state = None
        out = []
        for _ in range(n):
            logits, state = model(x, state)
            p = torch.softmax(logits[0, 0], dim=-1)
            ix = torch.multinomial(p, 1)
            out.append(ix.item())
            x = ix.view(1, 1)
        return out

    gen()
    rates = []
    for _ in range(3):
        t = time.perf_counter()
        gen()
        rates.append(n / (time.perf_counter() - t))
    fpc = flops_per_char_fwd("lstm", H, L, V)
    med = statistics.median(rates)
    return dict(mode="sample", cfg=args.cfg, threads=args.threads, n=n, chars_per_s=round(med, 1),
                reps_chars_per_s=[round(r, 1) for r in rates], fwd_flops_per_char=fpc,
                gflops=round(med * fpc / 1e9, 3))


def blas_name():
    """Which BLAS libblas.so.3 resolves to (Debian alternatives)."""
    try:
        return os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3").split("/")[-2]
    except OSError:
        return "unknown"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["train", "eval", "sample"])
    ap.add_argument("cfg")
    ap.add_argument("threads", type=int)
    ap.add_argument("--impl", default="nn", choices=["nn", "loop"])
    ap.add_argument("--budget", type=float, default=240.0, help="seconds for the 3 timed reps together")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--min-steps", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    res = {"train": train, "eval": evaluate, "sample": sample}[args.mode](args)
    res["blas"] = blas_name()
    res["torch"] = torch.__version__
    print(json.dumps(res), flush=True)


if __name__ == "__main__":
    main()
