"""rnn's models in PyTorch: read the safetensors file `rnn export` writes, run it, write one back.

    import rnn_torch
    m = rnn_torch.load("book.safetensors")            # a torch.nn.Module
    logits, state = m(torch.tensor([[0], [5], [9]]))  # tokens (T, B) -> logits (T, B, V), state
    rnn_torch.nats_per_char(m, open("held-out.txt", encoding="utf-8").read())
    rnn_torch.save(m, m.vocab, "tuned.safetensors", training=m.training_record)  # then: rnn import

Torch and the standard library only (no `safetensors` package). Parameter names are the model
file's, which follow torch.nn: rnn.weight_ih_l{k} (G·H, I), rnn.weight_hh_l{k} (G·H, H),
rnn.bias_ih_l{k}, rnn.bias_hh_l{k} (G·H), LSTM peepholes rnn.weight_c{i,f,o}_l{k} (H), the
layer-normalised LSTM's gains rnn.ln_ih_l{k}, rnn.ln_hh_l{k} (4H), rnn.ln_c_weight_l{k}, rnn.ln_c_bias_l{k} (H), the
backward stack of a bidirectional model with the suffix _reverse, and the head out.weight
(V, H or 2H), out.bias (V). Layer 0 reads one-hot tokens (I = V); layer k > 0 reads layer k−1's h.

    variant                          module
    rnn tanh / relu                  torch.nn.RNN
    lstm                             torch.nn.LSTM
    lstm peephole / coupled / both   LSTMStack (below)
    lstm layerNorm                   LNLSTMStack
    gru (Cho: reset before W_hn)     GRUStack
    gru resetAfter                   torch.nn.GRU
    gru minimal (blocks z, n)        GRUStack
    bidirectional (infill)           InfillLM: two stacks of the above, one head over both

The model carries .config, .vocab and .training_record (the file's training record) as dicts;
`.training` stays torch's train/eval flag (nn.Module's own: eval() would overwrite a dict there).

A left-to-right model (CharLM) predicts the next token: logits[t] is p(tokens[t+1] | tokens[…t]).
A bidirectional model (InfillLM) predicts each token from both sides: logits[t] is
p(tokens[t] | tokens[…t−1], tokens[t+1…]), the text after the block being `next` (<EOS>).
"""
import array
import collections
import hashlib
import json
import math
import os
import struct
import sys

import torch
import torch.nn.functional as F
from torch import nn

EOS, UNK = 0, 1  # the reserved ids; the vocabulary's characters follow from id 2
RESERVED = ["<EOS>", "<UNK>"]
SEPARATOR = {"line": "\n", "paragraph": "\n\n", "none": ""}  # what one <EOS> stands for
UNK_TEXT = "\ufffd"


# ---------------------------------------------------------------------------------------------
# safetensors: u64 little-endian header length N, N bytes of JSON header, then the data;
# header = {"__metadata__": {str: str}, name: {"dtype", "shape", "data_offsets": [begin, end]}}.

def read_safetensors(path):
    """-> (metadata dict, {name: float32 tensor}) in the header's order."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    data = raw[8 + n:]
    metadata = header.pop("__metadata__", {})
    tensors = {}
    for name, entry in header.items():
        if entry["dtype"] != "F32":
            raise ValueError(f"{path}: tensor {name} is {entry['dtype']}, expected F32")
        begin, end = entry["data_offsets"]
        values = array.array("f")
        values.frombytes(data[begin:end])
        if sys.byteorder == "big":
            values.byteswap()  # the file is little-endian
        tensors[name] = torch.tensor(values, dtype=torch.float32).reshape(entry["shape"])
    return metadata, tensors


def write_safetensors(path, tensors, metadata):
    """tensors: {name: tensor} written as float32 in that order; metadata: {str: str}."""
    header = {"__metadata__": metadata}
    blobs, offset = [], 0
    for name, t in tensors.items():
        values = array.array("f", t.detach().to(torch.float32).flatten().tolist())
        if sys.byteorder == "big":
            values.byteswap()
        blob = values.tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    head = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    head += b" " * (-len(head) % 8)  # pad to 8 bytes, as rnn does
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(head)) + head)
        for blob in blobs:
            f.write(blob)
    os.replace(tmp, path)


# ---------------------------------------------------------------------------------------------
# Text and tokens, as src/tokenizer/{corpus,segment,vocab}.ts: code points, not UTF-16 units.

def normalize(text):
    """What rnn reads from a file: a leading byte-order mark dropped, CRLF read as LF."""
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n")


def read_corpus(paths):
    """Files joined as `rnn train` joins them -> (text, {"name", "bytes", "chars", "sha256"}).

    Each file: UTF-8, its BOM dropped, CRLF read as LF; a file that does not end with a newline
    gets one before the next file. bytes/chars/sha256 describe the joined text (rnn's record)."""
    parts = []
    for k, p in enumerate(paths):
        with open(p, "rb") as f:
            body = normalize(f.read().decode("utf-8"))
        if k < len(paths) - 1 and body and not body.endswith("\n"):
            body += "\n"
        parts.append(body)
    text = "".join(parts)
    data = text.encode("utf-8")
    name = "+".join(os.path.basename(p) for p in paths)
    return text, {"name": name, "bytes": len(data), "chars": len(text), "sha256": hashlib.sha256(data).hexdigest()}


def segments(eos, text):
    """The text cut at its separators: line ends, blank lines (greedy: "\\n\\n\\n" = <EOS> then a
    character '\\n'), or nowhere; an <EOS> goes between consecutive pieces."""
    return text.split(SEPARATOR[eos]) if eos != "none" else [text]


def encode(vocab, text, start=True, end=False):
    """Token ids: [<EOS>] if start, every character's id (<UNK> if unknown), each separator as
    <EOS>, and with end a closing <EOS> unless the text ended with a separator."""
    id_of = {ch: k + 2 for k, ch in enumerate(vocab["chars"])}
    ids = [EOS] if start else []
    pieces = segments(vocab["eos"], text)
    for k, piece in enumerate(pieces):
        if k > 0:
            ids.append(EOS)
        ids.extend([id_of.get(ch, UNK) for ch in piece])
    if end and not (len(pieces) > 1 and pieces[-1] == ""):
        ids.append(EOS)
    return ids


def decode(vocab, ids):
    """Text of the ids: <EOS> -> its separator, <UNK> -> U+FFFD."""
    texts = [SEPARATOR[vocab["eos"]], UNK_TEXT] + list(vocab["chars"])
    return "".join(texts[i] for i in ids)


def build_vocab(text, eos="line", min_count=1, max_vocab=None):
    """The vocabulary `rnn train` builds: characters seen min_count times (separators are not
    characters), the max_vocab − 2 most frequent if limited, sorted by code point."""
    counts = collections.Counter()
    for piece in segments(eos, text):
        counts.update(piece)
    kept = [(ch, n) for ch, n in counts.items() if n >= min_count]
    if max_vocab is not None and len(kept) + 2 > max_vocab:
        kept = sorted(kept, key=lambda e: (-e[1], ord(e[0])))[:max_vocab - 2]
    chars = sorted((ch for ch, _ in kept), key=ord)
    return {"eos": eos, "reserved": list(RESERVED), "chars": chars, "minCount": min_count, "maxVocab": max_vocab}


# ---------------------------------------------------------------------------------------------
# Recurrent stacks torch.nn has no module for. Same interface as torch.nn.LSTM / GRU:
# forward(x (T, B, I), state) -> (h of the top layer (T, B, H), state); state (L, B, H) tensors.

class Stack(nn.Module):
    """Layers of one cell, looped over time in Python; parameters named as torch.nn names them."""

    gates = 0  # blocks of H rows in weight_ih / weight_hh
    carries = 1  # tensors in the state: h (GRU), h and c (LSTM)

    def __init__(self, input_size, hidden, layers, dropout=0.0):
        super().__init__()
        self.hidden, self.layers, self.dropout = hidden, layers, dropout
        GH = self.gates * hidden
        for k in range(layers):
            I = input_size if k == 0 else hidden
            self.add(f"weight_ih_l{k}", GH, I)
            self.add(f"weight_hh_l{k}", GH, hidden)
            self.add(f"bias_ih_l{k}", GH)
            self.add(f"bias_hh_l{k}", GH)
            for name, size in self.extra_params():
                self.add(f"{name}_l{k}", size)
        self.reset_parameters()

    def extra_params(self):
        """(name, size) of each vector a layer has besides its weights and biases."""
        return []

    def add(self, name, *shape):
        self.register_parameter(name, nn.Parameter(torch.empty(*shape)))

    def reset_parameters(self):
        """PyTorch's init: every weight and bias U(−1/√H, 1/√H)."""
        k = 1 / math.sqrt(self.hidden)
        for p in self.parameters():
            nn.init.uniform_(p, -k, k)

    def p(self, name, k):
        return getattr(self, f"{name}_l{k}")

    def project(self, k, x):
        """W_ih x + b_ih."""
        return F.linear(x, self.p("weight_ih", k), self.p("bias_ih", k))

    def forward(self, x, state=None):
        T, B, _ = x.shape
        if state is None:
            zeros = x.new_zeros(self.layers, B, self.hidden)
            state = (zeros,) * self.carries
        elif self.carries == 1:
            state = (state,)
        out_state = [[] for _ in range(self.carries)]
        for k in range(self.layers):
            if k > 0:
                x = F.dropout(x, self.dropout, self.training)  # between layers
            gx = self.project(k, x)  # every step at once
            carry = tuple(s[k] for s in state)
            hs = []
            for t in range(T):
                carry = self.step(k, gx[t], carry)
                hs.append(carry[0])
            x = torch.stack(hs)
            for s, c in zip(out_state, carry):
                s.append(c)
        new_state = tuple(torch.stack(s) for s in out_state)
        return x, (new_state if self.carries > 1 else new_state[0])


class LSTMStack(Stack):
    """LSTM with peepholes and/or coupled gates (plain LSTM: torch.nn.LSTM).
      i = σ(a_i + w_ci⊙c)  f = σ(a_f + w_cf⊙c)  g = tanh(a_g)  c' = f⊙c + i⊙g  o = σ(a_o + w_co⊙c')  h' = o⊙tanh(c')
    a = W_ih x + b_ih + W_hh h + b_hh in blocks i, f, g, o; coupled: blocks f, g, o and i = 1 − f
    (peepholes then w_cf, w_co only)."""

    carries = 2

    def __init__(self, input_size, hidden, layers, dropout=0.0, peephole=False, coupled=False):
        self.peephole, self.coupled = peephole, coupled
        self.gates = 3 if coupled else 4
        super().__init__(input_size, hidden, layers, dropout)

    def extra_params(self):
        if not self.peephole:
            return []
        names = ["weight_cf", "weight_co"] if self.coupled else ["weight_ci", "weight_cf", "weight_co"]
        return [(name, self.hidden) for name in names]

    def reset_parameters(self):
        super().reset_parameters()
        H, f = self.hidden, (0 if self.coupled else 1)  # the forget block
        with torch.no_grad():
            for k in range(self.layers):  # forget bias 1 in all: b_if = 1, b_hf = 0
                self.p("bias_ih", k)[f * H:(f + 1) * H] = 1
                self.p("bias_hh", k)[f * H:(f + 1) * H] = 0

    def step(self, k, gx, carry):
        h, c = carry
        a = gx + F.linear(h, self.p("weight_hh", k), self.p("bias_hh", k))
        peep = (lambda name, v: self.p(name, k) * v) if self.peephole else (lambda name, v: 0)
        if self.coupled:
            a_f, a_g, a_o = a.chunk(3, dim=-1)
            f = torch.sigmoid(a_f + peep("weight_cf", c))
            i = 1 - f
        else:
            a_i, a_f, a_g, a_o = a.chunk(4, dim=-1)
            i = torch.sigmoid(a_i + peep("weight_ci", c))
            f = torch.sigmoid(a_f + peep("weight_cf", c))
        c = f * c + i * torch.tanh(a_g)  # c' = f⊙c + i⊙g
        o = torch.sigmoid(a_o + peep("weight_co", c))  # the output gate peeks at the new cell
        return o * torch.tanh(c), c


class GRUStack(Stack):
    """GRU in Cho et al.'s form (reset before W_hn) or the minimal GRU (torch.nn.GRU: reset after).
      cho:     r = σ(a_r)  z = σ(a_z)  n = tanh(W_in x + b_in + W_hn(r⊙h) + b_hn)
      minimal: z = σ(a_z)              n = tanh(W_in x + b_in + W_hn h + b_hn)     (blocks z, n)
      both:    h' = (1 − z)⊙n + z⊙h,  a_* = W_i* x + b_i* + W_h* h + b_h*"""

    def __init__(self, input_size, hidden, layers, dropout=0.0, minimal=False):
        self.minimal = minimal
        self.gates = 2 if minimal else 3
        super().__init__(input_size, hidden, layers, dropout)

    def step(self, k, gx, carry):
        (h,) = carry
        H = self.hidden
        W, b = self.p("weight_hh", k), self.p("bias_hh", k)
        if self.minimal:
            x_z, x_n = gx.chunk(2, dim=-1)
            h_z, h_n = F.linear(h, W, b).chunk(2, dim=-1)
            z = torch.sigmoid(x_z + h_z)
        else:
            x_r, x_z, x_n = gx.chunk(3, dim=-1)
            h_r, h_z = F.linear(h, W[:2 * H], b[:2 * H]).chunk(2, dim=-1)
            r, z = torch.sigmoid(x_r + h_r), torch.sigmoid(x_z + h_z)
            h_n = F.linear(r * h, W[2 * H:], b[2 * H:])  # W_hn(r⊙h) + b_hn
        n = torch.tanh(x_n + h_n)
        return ((1 - z) * n + z * h,)


class LNLSTMStack(LSTMStack):
    """Layer-normalised LSTM (Ba, Kiros & Hinton 2016), LN over one row with ε = 1e-5:
      a = γ_ih⊙LN(W_ih x) + b_ih + γ_hh⊙LN(W_hh h) + b_hh    c' = f⊙c + i⊙g    h' = o⊙tanh(γ_c⊙LN(c') + β_c)
    with the gains ln_ih, ln_hh (4H), ln_c_weight (H) and the shift ln_c_bias (H) of each layer."""

    def extra_params(self):
        H = self.hidden
        return [("ln_ih", 4 * H), ("ln_hh", 4 * H), ("ln_c_weight", H), ("ln_c_bias", H)]

    def reset_parameters(self):
        super().reset_parameters()
        with torch.no_grad():  # gains 1, shift 0
            for k in range(self.layers):
                for name in ("ln_ih", "ln_hh", "ln_c_weight"):
                    self.p(name, k).fill_(1)
                self.p("ln_c_bias", k).zero_()

    def project(self, k, x):
        gx = F.linear(x, self.p("weight_ih", k))
        return F.layer_norm(gx, gx.shape[-1:], self.p("ln_ih", k)) + self.p("bias_ih", k)

    def step(self, k, gx, carry):
        h, c = carry
        gh = F.linear(h, self.p("weight_hh", k))
        a = gx + F.layer_norm(gh, gh.shape[-1:], self.p("ln_hh", k)) + self.p("bias_hh", k)
        a_i, a_f, a_g, a_o = a.chunk(4, dim=-1)
        c = torch.sigmoid(a_f) * c + torch.sigmoid(a_i) * torch.tanh(a_g)
        c_hat = F.layer_norm(c, c.shape[-1:], self.p("ln_c_weight", k), self.p("ln_c_bias", k))
        return torch.sigmoid(a_o) * torch.tanh(c_hat), c


def make_stack(config):
    """The recurrent stack of a model config: torch.nn's own module where it computes the same."""
    V, H, L = config["vocabSize"], config["hidden"], config["layers"]
    drop = config["dropout"] if L > 1 else 0.0  # between layers (a one-layer model drops its output)
    cell = config["cell"]
    if cell == "rnn":
        return nn.RNN(V, H, L, nonlinearity=config["activation"], dropout=drop)
    if cell == "lstm":
        if config.get("layerNorm", False):
            return LNLSTMStack(V, H, L, drop)
        if not config["peephole"] and not config["coupled"]:
            return nn.LSTM(V, H, L, dropout=drop)
        return LSTMStack(V, H, L, drop, peephole=config["peephole"], coupled=config["coupled"])
    if cell == "gru":
        if config["minimal"]:
            return GRUStack(V, H, L, drop, minimal=True)
        if config["resetAfter"]:
            return nn.GRU(V, H, L, dropout=drop)
        return GRUStack(V, H, L, drop)
    raise ValueError(f"unknown cell {cell!r}")


def top_h(state):
    """The top layer's h (B, H) of a stack's state."""
    return (state[0] if isinstance(state, tuple) else state)[-1]


# ---------------------------------------------------------------------------------------------
# The language models: a stack (two, bidirectional) and a linear head `out`.

class CharLM(nn.Module):
    """Left to right: logits (T, B, V) = out(h_top⟨t⟩), predicting tokens[t+1]."""

    def __init__(self, config):
        super().__init__()
        self.config = dict(config)
        self.rnn = make_stack(config)
        self.drop = nn.Dropout(config["dropout"] if config["layers"] == 1 else 0.0)  # char-rnn's, one layer
        self.out = nn.Linear(config["hidden"], config["vocabSize"])

    def forward(self, tokens, state=None):
        x = F.one_hot(tokens, self.config["vocabSize"]).to(self.out.weight.dtype)
        h, state = self.rnn(x, state)
        return self.out(self.drop(h)), state


class Directions(nn.Module):
    """The two stacks of a bidirectional model: rnn.fwd.* and rnn.bwd.* here, rnn.* and
    rnn.*_reverse in the file (see file_name)."""

    def __init__(self, config):
        super().__init__()
        self.fwd = make_stack(config)
        self.bwd = make_stack(config)


class InfillLM(nn.Module):
    """Bidirectional: logits[t] = out([→a⟨t−1⟩; ←a⟨t+1⟩]) predicts tokens[t] itself.
    The forward stack reads tokens⟨0…T−1⟩ from `state` (→a⟨−1⟩ = its top h); the backward stack
    reads next, tokens⟨T−1⟩, …, tokens⟨1⟩ from `bwd_state` (zero), where `next` (B) is the token
    after the block (default <EOS>: the text ends there). Returns the forward state only."""

    def __init__(self, config):
        super().__init__()
        self.config = dict(config)
        self.rnn = Directions(config)
        self.drop = nn.Dropout(config["dropout"] if config["layers"] == 1 else 0.0)
        self.out = nn.Linear(2 * config["hidden"], config["vocabSize"])

    def forward(self, tokens, state=None, next=None, bwd_state=None):
        T, B = tokens.shape
        V, H = self.config["vocabSize"], self.config["hidden"]
        one_hot = lambda t: F.one_hot(t, V).to(self.out.weight.dtype)
        h, new_state = self.rnn.fwd(one_hot(tokens), state)  # →a⟨0…T−1⟩
        h_before = top_h(state) if state is not None else h.new_zeros(B, H)
        left = torch.cat([h_before[None], h[:-1]])  # row t: →a⟨t−1⟩
        if next is None:
            next = tokens.new_full((B,), EOS)
        rev = torch.cat([next[None], tokens.flip(0)[:-1]])  # next, x⟨T−1⟩, …, x⟨1⟩
        g, _ = self.rnn.bwd(one_hot(rev), bwd_state)
        right = g.flip(0)  # row t: ←a⟨t+1⟩ (the output after reading tokens[t+1], or next)
        return self.out(self.drop(torch.cat([left, right], dim=-1))), new_state


def new_model(config, vocab, training=None):
    """A freshly initialised model (PyTorch's init, as rnn's) carrying .config, .vocab, .training_record."""
    config = dict(config, vocabSize=2 + len(vocab["chars"]))
    module = (InfillLM if config.get("bidirectional") else CharLM)(config)
    module.vocab, module.training_record = vocab, training
    return module


# ---------------------------------------------------------------------------------------------
# Files: load and save with the model file's parameter names.

def file_name(key):
    """Module state_dict key -> model-file parameter name."""
    if key.startswith("rnn.fwd."):
        return "rnn." + key[len("rnn.fwd."):]
    if key.startswith("rnn.bwd."):
        return "rnn." + key[len("rnn.bwd."):] + "_reverse"
    return key


def file_tensors(module):
    """{model-file name: tensor} in rnn's order (forward stack, backward stack, head)."""
    return {file_name(k): v for k, v in module.state_dict().items()}


CONFIG_DEFAULTS = {"dropout": 0.0, "activation": "tanh", "peephole": False, "coupled": False,
                   "resetAfter": False, "minimal": False, "bidirectional": False}


def load(path):
    """A safetensors file of `rnn export` -> the model (eval mode) with .config, .vocab, .training_record."""
    metadata, tensors = read_safetensors(path)
    if metadata.get("format") != "rnn-model":
        raise ValueError(f"{path}: not an rnn model (__metadata__.format is {metadata.get('format')!r})")
    config = json.loads(metadata["config"])
    for k, v in CONFIG_DEFAULTS.items():
        config.setdefault(k, v)
    vocab = json.loads(metadata["vocab"])
    training = json.loads(metadata["training"]) if "training" in metadata else None
    module = new_model(config, vocab, training)
    if module.config["vocabSize"] != config["vocabSize"]:
        raise ValueError(f"{path}: config.vocabSize {config['vocabSize']} but {len(vocab['chars']) + 2} ids in the vocabulary")
    keys = {file_name(k): k for k in module.state_dict()}
    if set(keys) != set(tensors):
        raise ValueError(f"{path}: parameters {sorted(tensors)} do not match a {config['cell']} model's {sorted(keys)}")
    module.load_state_dict({keys[n]: t for n, t in tensors.items()})
    return module.eval()


def minimal_training():
    """A valid training record that says nothing: no corpus (its SHA-256 that of no bytes), no
    split, no steps, no history."""
    return {
        "corpus": {"name": "unknown", "bytes": 0, "chars": 0, "sha256": hashlib.sha256(b"").hexdigest()},
        "split": {"valFraction": 0, "trainTokens": 0, "valTokens": 0},
        "seed": 0, "steps": 0, "epochs": 0,
        "options": {"trainer": "rnn_torch.save"},
        "history": [], "bestValLoss": None,
    }


def save(module, vocab, path, training=None):
    """Write the model as the safetensors file `rnn import` takes: float32 tensors under the model
    file's names, __metadata__ format/version/config/vocab/training.

    training=None writes a minimal record (minimal_training: corpus "unknown", no steps, no
    history); pass training=module.training_record to keep the record a loaded model carries."""
    config = dict(module.config, vocabSize=2 + len(vocab["chars"]))
    as_json = lambda v: json.dumps(v, ensure_ascii=False, separators=(",", ":"))  # as JSON.stringify writes it
    metadata = {
        "format": "rnn-model",
        "version": "1",
        "config": as_json(config),
        "vocab": as_json(vocab),
        "training": as_json(training if training is not None else minimal_training()),
    }
    write_safetensors(path, file_tensors(module), metadata)


# ---------------------------------------------------------------------------------------------
# Measuring: the figure `rnn eval perplexity --model m file.txt` prints as nats/char.

@torch.no_grad()
def stream_nats(module, ids, chunk=1024):
    """Σ −ln p over ids[1:]: ids[0] is only an input, each later token predicted from all of the
    stream before it (left to right: one stream from a zero state, carried through; bidirectional:
    from both sides, the stream followed by <EOS>)."""
    was_training = module.training
    module.eval()
    try:
        x = torch.tensor(ids, dtype=torch.long, device=module.out.weight.device)
        total = 0.0
        if isinstance(module, InfillLM):  # one pass over the whole stream
            logits, _ = module(x[:, None])
            return -F.log_softmax(logits[1:, 0].double(), -1).gather(1, x[1:, None]).sum().item()
        state = None
        for t0 in range(0, len(ids) - 1, chunk):
            inputs, targets = x[t0:t0 + chunk], x[t0 + 1:t0 + chunk + 1]
            logits, state = module(inputs[:len(targets), None], state)
            total -= F.log_softmax(logits[:, 0].double(), -1).gather(1, targets[:, None]).sum().item()
        return total
    finally:
        module.train(was_training)


def nats_per_char(module, text):
    """Mean −ln p per predicted token of [<EOS>] + encode(text) (the text read as rnn reads a file)."""
    ids = encode(module.vocab, normalize(text))
    if len(ids) < 2:
        raise ValueError("nothing to evaluate: the text is empty")
    return stream_nats(module, ids) / (len(ids) - 1)


if __name__ == "__main__":  # python3 rnn_torch.py model.safetensors text.txt -> nats/char
    if len(sys.argv) != 3:
        sys.exit("usage: python3 rnn_torch.py model.safetensors text.txt")
    m = load(sys.argv[1])
    with open(sys.argv[2], "rb") as f:
        print(f"{nats_per_char(m, f.read().decode('utf-8')):.6f} nats/char")
