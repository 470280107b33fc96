#!/usr/bin/python3
"""Golden fixtures from PyTorch for the engine tests (test/engine/golden.test.ts).

For each case: a torch.nn.{RNN,LSTM,GRU} module named `rnn` over one-hot token inputs and a
torch.nn.Linear head named `out`, in float64, with seeded weights, tokens and a non-zero carried-in
state. Dumps the weights, inputs, targets, carried-in state, mean cross-entropy loss, every
parameter gradient, the gradient with respect to the carried-in state and the carried-out state.
States use the engine's layout: for each layer, h (B, H) then (LSTM) c (B, H); positions are
time-major, p = t*B + b.

Run with the system Python that has torch:  /usr/bin/python3 scripts/make-golden.py
"""
import json
import os

import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'golden')

CASES = [
    # name, config (engine ModelConfig fields), seed
    ('rnn-tanh', dict(cell='rnn', activation='tanh'), 1),
    ('rnn-relu', dict(cell='rnn', activation='relu'), 2),
    ('lstm', dict(cell='lstm'), 3),
    ('gru-reset-after', dict(cell='gru', resetAfter=True), 4),
]
H, L, V, T, B = 5, 2, 7, 4, 3


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def state_layout(hs):
    """[(L, B, H) tensors] -> engine layout: per layer, each tensor's (B, H) block in turn."""
    out = []
    for layer in range(L):
        for h in hs:
            out += flat(h[layer])
    return out


def make(name, over, seed):
    torch.manual_seed(seed)
    cell = over['cell']
    if cell == 'rnn':
        rnn = torch.nn.RNN(V, H, L, nonlinearity=over['activation'])
    elif cell == 'lstm':
        rnn = torch.nn.LSTM(V, H, L)
    else:
        rnn = torch.nn.GRU(V, H, L)
    out = torch.nn.Linear(H, V)
    rnn.double()
    out.double()
    x = torch.randint(0, V, (T, B))
    y = torch.randint(0, V, (T, B))
    h0 = (0.5 * torch.randn(L, B, H, dtype=torch.float64)).requires_grad_()
    c0 = (0.5 * torch.randn(L, B, H, dtype=torch.float64)).requires_grad_()
    inp = F.one_hot(x, V).double()
    if cell == 'lstm':
        hs, (hn, cn) = rnn(inp, (h0, c0))
        state0, state1 = state_layout([h0, c0]), state_layout([hn, cn])
    else:
        hs, hn = rnn(inp, h0)
        state0, state1 = state_layout([h0]), state_layout([hn])
    logits = out(hs).reshape(T * B, V)
    loss = F.cross_entropy(logits, y.reshape(-1))
    loss.backward()
    d0 = state_layout([h0.grad, c0.grad]) if cell == 'lstm' else state_layout([h0.grad])
    params = [('rnn.' + n, p) for n, p in rnn.named_parameters()] + [('out.' + n, p) for n, p in out.named_parameters()]
    config = dict(cell=cell, hidden=H, layers=L, dropout=0, activation=over.get('activation', 'tanh'),
                  peephole=False, coupled=False, resetAfter=over.get('resetAfter', False), minimal=False,
                  bidirectional=False, vocabSize=V)
    fixture = dict(
        source=f'torch {torch.__version__}, scripts/make-golden.py', config=config, T=T, B=B,
        x=flat(x), y=flat(y), state0=state0,
        params=[dict(name=n, shape=list(p.shape), data=flat(p)) for n, p in params],
        loss=float(loss), logits=flat(logits),
        grads={n: flat(p.grad) for n, p in params}, dState0=d0, state1=state1,
    )
    fixture['x'] = [int(v) for v in fixture['x']]
    fixture['y'] = [int(v) for v in fixture['y']]
    with open(os.path.join(OUT, f'{name}.json'), 'w') as f:
        json.dump(fixture, f)
    print(f'{name}: loss {float(loss):.6f}')


if __name__ == '__main__':
    os.makedirs(OUT, exist_ok=True)
    for name, over, seed in CASES:
        make(name, over, seed)
