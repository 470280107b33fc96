"""Train an rnn model with torch DistributedDataParallel, on one machine or many.

    torchrun --nproc_per_node 2 train_ddp.py book.txt --hidden 256 --steps 2000 -o book.safetensors
    rnn import book.safetensors && rnn sample book.json

(Debian's python3-torch may lack the `torchrun` script: `python3 -m torch.distributed.run` is the
same. Several machines: torchrun --nnodes M --node_rank K --master_addr HOST ... on each. torch 1.13
on Python 3.11 fails in torchrun itself, "'NoneType' object has no attribute 'get'": add
`--redirects 9:1 --tee 9:1`, or start each rank yourself with RANK, LOCAL_RANK, WORLD_SIZE,
MASTER_ADDR and MASTER_PORT set. Run alone, the script is a group of one.)

The corpus is read as `rnn train` reads it (rnn_torch: the same tokenizer and vocabulary), the
held-out tail is validation, and the training stream is cut into --batch-size parallel streams,
each rank taking its own share of them; truncated BPTT of --seq-length steps, the state carried
from block to block and detached; mean cross-entropy; Adam; the gradient clipped by its global
norm; the learning rate decayed as rnn decays it. Rank 0 measures the validation loss (the exact
figure: one stream, the state carried through) and writes the best model so far to --output, a
safetensors file that `rnn import` takes, with its training record (corpus, split, history).
Left-to-right models only: --bidirectional is refused (train infill models with `rnn train`).
"""
import argparse
import hashlib
import os
import random
import sys
import time

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rnn_torch  # noqa: E402


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("corpus", nargs="+", help="UTF-8 text files, joined as rnn train joins them")
    p.add_argument("--init", metavar="M.safetensors", help="start from this model (rnn export): its shape, vocabulary and weights")
    m = p.add_argument_group("model (from scratch, rnn train's defaults; with --init the model's, only --dropout may change)")
    m.add_argument("--cell", choices=["rnn", "lstm", "gru"], default="lstm")
    m.add_argument("--hidden", type=int, default=192)
    m.add_argument("--layers", type=int, default=2)
    m.add_argument("--dropout", type=float, default=None, help="[0.2; with --init the model's]")
    m.add_argument("--activation", choices=["tanh", "relu"], default="tanh")
    m.add_argument("--peephole", action="store_true")
    m.add_argument("--coupled", action="store_true")
    m.add_argument("--layer-norm", action=argparse.BooleanOptionalAction, default=None,
                   help="[on for an lstm without --peephole or --coupled, as in rnn train]")
    m.add_argument("--minimal", action="store_true")
    m.add_argument("--reset-after", action="store_true")
    m.add_argument("--bidirectional", action="store_true", help="refused: DDP here trains left-to-right models")
    d = p.add_argument_group("data (--eos, --min-count, --max-vocab: from scratch; with --init the model's vocabulary)")
    d.add_argument("--eos", choices=["line", "paragraph", "none"], default="line")
    d.add_argument("--min-count", type=int, default=1)
    d.add_argument("--max-vocab", type=int, default=None)
    d.add_argument("--val-fraction", type=float, default=0.05, help="the corpus's tail held out [0.05]")
    d.add_argument("--seq-length", type=int, default=64, help="T, BPTT steps [64]")
    d.add_argument("--batch-size", type=int, default=32, help="B, parallel streams in all ranks together [32]")
    o = p.add_argument_group("optimisation")
    o.add_argument("--steps", type=int, default=1000, help="optimiser steps [1000]")
    o.add_argument("--lr", type=float, default=None, help="Adam's rate [0.01·min(1, 128/hidden)]")
    o.add_argument("--lr-decay", type=float, default=0.85)
    o.add_argument("--lr-decay-every", type=int, default=500)
    o.add_argument("--lr-decay-start", type=int, default=1000)
    o.add_argument("--clip", type=float, default=5.0, help="global gradient norm threshold, 0: off [5]")
    o.add_argument("--eval-every", type=int, default=200)
    o.add_argument("--seed", type=int, default=None, help="[random, recorded]")
    p.add_argument("-o", "--output", help="[named after the corpus: book.txt -> book.safetensors]")
    p.add_argument("--force", action="store_true", help="replace an existing output")
    return p.parse_args()


def fail(msg):
    sys.exit(f"error: {msg}")


def learning_rate(a, step):
    """rnn's schedule: lr · max(decay^⌊max(0, step − start)/every⌋, 1/100)."""
    k = max(0, step - a.lr_decay_start) // a.lr_decay_every
    return a.lr * max(a.lr_decay ** k, 0.01)


def detach(state):
    return tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()


def main():
    a = parse_args()
    if a.bidirectional:
        fail("--bidirectional is not offered here: train_ddp.py trains left-to-right models (rnn train --bidirectional trains infill models)")
    text, corpus = rnn_torch.read_corpus(a.corpus)
    a.output = a.output or os.path.splitext(corpus["name"])[0] + ".safetensors"
    if os.path.exists(a.output) and not a.force:
        fail(f"{a.output} exists: not replacing it (choose another -o, or add --force)")

    # one process per rank: torchrun sets RANK, WORLD_SIZE, MASTER_ADDR/PORT; alone, a group of one
    for k, v in {"RANK": "0", "WORLD_SIZE": "1", "LOCAL_RANK": "0", "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(random.randint(20000, 60000))}.items():
        os.environ.setdefault(k, v)
    cuda = torch.cuda.is_available()
    dist.init_process_group("nccl" if cuda else "gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    device = torch.device(f"cuda:{os.environ['LOCAL_RANK']}" if cuda else "cpu")
    if cuda:
        torch.cuda.set_device(device)
    if a.batch_size % world:
        fail(f"--batch-size {a.batch_size} is not a multiple of the {world} ranks")

    # the model: from a file, or new (the same seed on every rank: the same initial weights)
    seed = a.seed if a.seed is not None else random.randrange(2 ** 32)
    seed_t = torch.tensor([seed], dtype=torch.long, device=device)
    dist.broadcast(seed_t, 0)  # rank 0's random seed for all
    seed = int(seed_t.item())
    torch.manual_seed(seed)
    lineage = None
    if a.init:
        model = rnn_torch.load(a.init)
        vocab, base = model.vocab, model.training_record
        if model.config["bidirectional"]:
            fail(f"{a.init} is bidirectional: train_ddp.py trains left-to-right models")
        if a.dropout is not None:  # the one model option a fine-tune may change, as in rnn train --init-from
            tuned = rnn_torch.new_model(dict(model.config, dropout=a.dropout), vocab, base)
            tuned.load_state_dict(model.state_dict())
            model = tuned
        with open(a.init, "rb") as f:
            sha = hashlib.sha256(f.read()).hexdigest()
        lineage = [{"sha256": sha, "name": os.path.basename(a.init), "steps": base["steps"],
                    "corpus": {"name": base["corpus"]["name"], "sha256": base["corpus"]["sha256"]}}] + base.get("lineage", [])
    else:
        vocab = rnn_torch.build_vocab(text, a.eos, a.min_count, a.max_vocab)
        config = {"cell": a.cell, "hidden": a.hidden, "layers": a.layers, "dropout": 0.2 if a.dropout is None else a.dropout,
                  "activation": a.activation, "peephole": a.peephole, "coupled": a.coupled,
                  "layerNorm": a.cell == "lstm" and not a.peephole and not a.coupled if a.layer_norm is None else a.layer_norm,
                  "resetAfter": a.reset_after, "minimal": a.minimal, "bidirectional": False}
        model = rnn_torch.new_model(config, vocab)
    model.to(device)
    torch.manual_seed(seed + 1 + rank)  # each rank its own dropout masks
    ddp = DistributedDataParallel(model)

    # the data: [<EOS>] + the corpus; the tail is validation (rnn's split: ids[c−1:] from the last training token)
    ids = rnn_torch.encode(vocab, text)
    predictions = len(ids) - 1
    val_tokens = int(predictions * a.val_fraction + 0.5)
    if a.val_fraction > 0 and val_tokens == 0:
        val_tokens = 1
    c = predictions - val_tokens + 1
    train = torch.tensor(ids[:c])
    val = ids[c - 1:] if val_tokens else []
    B, T = a.batch_size, a.seq_length
    L = (len(train) - 1) // B  # stream b covers train[b·L … b·L + L]
    if L < T:
        fail(f"the training text ({len(train) - 1} tokens) is too short for {B} streams of --seq-length {T}")
    mine = torch.arange(rank * B // world, (rank + 1) * B // world) * L  # this rank's streams
    a.lr = a.lr if a.lr is not None else 0.01 * min(1.0, 128 / model.config["hidden"])
    optim = torch.optim.Adam(model.parameters(), lr=a.lr, betas=(0.9, 0.999), eps=1e-8)

    config = {k: v for k, v in model.config.items() if k != "vocabSize"}
    options = {"corpus": [os.path.abspath(p) for p in a.corpus], "eos": vocab["eos"], "minCount": vocab["minCount"],
               "maxVocab": vocab["maxVocab"], "valFraction": a.val_fraction, "valSplit": "tail", "seqLength": T, "batchSize": B,
               "optimizer": "adam", "lr": a.lr, "lrDecay": a.lr_decay, "lrDecayEvery": a.lr_decay_every, "lrDecayStart": a.lr_decay_start,
               "clip": a.clip, "clipMode": "norm", "steps": a.steps, "evalEvery": a.eval_every, "seed": seed, "initFrom": a.init,
               "model": config, "trainer": "train_ddp.py", "worldSize": world}  # rnn train's names
    training = {"corpus": corpus, "split": {"valFraction": a.val_fraction, "trainTokens": c - 1, "valTokens": val_tokens, "mode": "tail"},
                "seed": seed, "steps": 0, "epochs": 0, "options": options, "history": [], "bestValLoss": None}
    if lineage:
        training["lineage"] = lineage
    if rank == 0:
        print(f"{corpus['name']}: {corpus['chars']} chars, vocabulary {len(vocab['chars']) + 2}, {c - 1} training and {val_tokens} validation tokens; "
              f"{world} rank{'s' if world > 1 else ''} × {B // world} streams × {T} steps", flush=True)

    state, cursor, epoch = None, 0, 0
    sums = torch.zeros(4, dtype=torch.float64, device=device)  # loss, steps, gradient norm, clips since the last evaluation
    start = time.time()
    for step in range(1, a.steps + 1):
        if cursor + T > L:  # every stream wraps to its start: an epoch ends, the state resets
            cursor, epoch, state = 0, epoch + 1, None
        idx = mine[None, :] + cursor + torch.arange(T)[:, None]  # (T, B/world) positions in train
        x, y = train[idx].to(device), train[idx + 1].to(device)
        cursor += T
        for g in optim.param_groups:
            g["lr"] = learning_rate(a, step - 1)
        logits, state = ddp(x, state)
        state = detach(state)  # truncated BPTT: carry the state, not its gradient
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
        optim.zero_grad()
        loss.backward()  # DDP averages the gradients of all ranks here
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), a.clip if a.clip > 0 else float("inf"))  # ‖g‖ before
        optim.step()
        sums += torch.tensor([loss.item(), 1, norm.item(), float(0 < a.clip < norm.item())], dtype=torch.float64, device=device)

        if step % a.eval_every == 0 or step == a.steps:
            dist.all_reduce(sums)  # every rank's training loss
            if rank == 0:
                val_loss = rnn_torch.stream_nats(model, val) / (len(val) - 1) if val_tokens else None
                seconds = time.time() - start
                entry = {"step": step, "epoch": epoch, "trainLoss": sums[0].item() / sums[1].item(), "valLoss": val_loss,
                         "lr": learning_rate(a, step - 1), "gradNorm": sums[2].item() / sums[1].item(),
                         "clipRate": sums[3].item() / sums[1].item(), "charsPerSecond": step * B * T / seconds, "seconds": seconds}
                training["history"].append(entry)
                best = training["bestValLoss"]
                improved = val_loss is None or best is None or val_loss < best
                if improved:  # --output holds the best model, as rnn train's does
                    training.update(steps=step, epochs=epoch, bestValLoss=val_loss if val_loss is not None else best)
                    rnn_torch.save(model, vocab, a.output, training)
                print(f"step {step}/{a.steps}  epoch {epoch}  train {entry['trainLoss']:.4f}  "
                      f"val {'-' if val_loss is None else f'{val_loss:.6f}'} nats/char  lr {entry['lr']:.3g}  "
                      f"|g| {entry['gradNorm']:.3f}  {entry['charsPerSecond']:.0f} chars/s{'  saved' if improved else ''}", flush=True)
            sums.zero_()
    if rank == 0:
        best = training["bestValLoss"]
        print(f"{a.output}: step {training['steps']}, best validation loss "
              f"{'-' if best is None else f'{best:.6f}'} nats/char; next: rnn import {a.output}", flush=True)
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
