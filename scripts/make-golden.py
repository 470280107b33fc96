#!/usr/bin/python3
"""Golden fixtures from PyTorch for the engine tests (test/engine/golden.test.ts).

For each case: a torch.nn.{RNN,LSTM,GRU} module named `rnn` over one-hot token inputs and a
torch.nn.Linear head named `out`, in float64 (the variants PyTorch lacks -- LSTM peephole and
coupled, the Cho GRU, the minimal GRU -- as a plain autograd implementation of the equations
in src/engine/cells/*.ts, written independently of the engine), with seeded weights, tokens and a non-zero carried-in
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
                  peephole=False, coupled=False, layerNorm=False, resetAfter=over.get('resetAfter', False), minimal=False,
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


def manual(name, over, seed):
    """The cells' equations with torch autograd, for the variants torch.nn does not have."""
    torch.manual_seed(seed)
    cell = over['cell']
    peephole, coupled, minimal = over.get('peephole', False), over.get('coupled', False), over.get('minimal', False)
    G = (3 if coupled else 4) if cell == 'lstm' else (2 if minimal else 3)
    k = 1 / H ** 0.5

    def U(*shape):
        return ((torch.rand(*shape, dtype=torch.float64) * 2 - 1) * k).requires_grad_()

    params = []
    for layer in range(L):
        I = V if layer == 0 else H
        params += [(f'rnn.weight_ih_l{layer}', U(G * H, I)), (f'rnn.weight_hh_l{layer}', U(G * H, H)),
                   (f'rnn.bias_ih_l{layer}', U(G * H)), (f'rnn.bias_hh_l{layer}', U(G * H))]
        if peephole:
            if not coupled:
                params.append((f'rnn.weight_ci_l{layer}', U(H)))
            params += [(f'rnn.weight_cf_l{layer}', U(H)), (f'rnn.weight_co_l{layer}', U(H))]
    params += [('out.weight', U(V, H)), ('out.bias', U(V))]
    P = dict(params)
    x = torch.randint(0, V, (T, B))
    y = torch.randint(0, V, (T, B))
    h0 = (0.5 * torch.randn(L, B, H, dtype=torch.float64)).requires_grad_()
    c0 = (0.5 * torch.randn(L, B, H, dtype=torch.float64)).requires_grad_()
    inp = F.one_hot(x, V).double()
    hn, cn = [], []
    for layer in range(L):
        Wi, Wh = P[f'rnn.weight_ih_l{layer}'], P[f'rnn.weight_hh_l{layer}']
        bi, bh = P[f'rnn.bias_ih_l{layer}'], P[f'rnn.bias_hh_l{layer}']
        h, c = h0[layer], c0[layer]
        outs = []
        for t in range(T):
            xi = inp[t] @ Wi.T + bi
            if cell == 'lstm':
                a = (xi + h @ Wh.T + bh).split(H, dim=1)
                pc = (lambda n: P[f'rnn.weight_{n}_l{layer}']) if peephole else (lambda n: torch.zeros(H, dtype=torch.float64))
                if coupled:
                    f = torch.sigmoid(a[0] + pc('cf') * c)
                    g = torch.tanh(a[1])
                    c = f * c + (1 - f) * g
                    o = torch.sigmoid(a[2] + pc('co') * c)
                else:
                    i = torch.sigmoid(a[0] + pc('ci') * c)
                    f = torch.sigmoid(a[1] + pc('cf') * c)
                    g = torch.tanh(a[2])
                    c = f * c + i * g
                    o = torch.sigmoid(a[3] + pc('co') * c)
                h = o * torch.tanh(c)
            elif minimal:
                a = (xi + h @ Wh.T + bh).split(H, dim=1)
                z, n = torch.sigmoid(a[0]), torch.tanh(a[1])
                h = (1 - z) * n + z * h
            else:  # the Cho GRU (Cho et al. 2014): r gates h before W_hn
                xr, xz, xn = xi.split(H, dim=1)
                Whr, Whz, Whn = Wh.split(H, dim=0)
                bhr, bhz, bhn = bh.split(H)
                r = torch.sigmoid(xr + h @ Whr.T + bhr)
                z = torch.sigmoid(xz + h @ Whz.T + bhz)
                n = torch.tanh(xn + (r * h) @ Whn.T + bhn)
                h = (1 - z) * n + z * h
            outs.append(h)
        hn.append(h)
        cn.append(c)
        inp = torch.stack(outs)
    logits = (inp @ P['out.weight'].T + P['out.bias']).reshape(T * B, V)
    loss = F.cross_entropy(logits, y.reshape(-1))
    loss.backward()
    lstm = cell == 'lstm'
    hn, cn = torch.stack(hn), torch.stack(cn)
    config = dict(cell=cell, hidden=H, layers=L, dropout=0, activation='tanh', peephole=peephole, coupled=coupled, layerNorm=False,
                  resetAfter=False, minimal=minimal, bidirectional=False, vocabSize=V)
    fixture = dict(
        source=f'torch {torch.__version__} autograd (manual cell), scripts/make-golden.py', config=config, T=T, B=B,
        x=[int(v) for v in flat(x)], y=[int(v) for v in flat(y)],
        state0=state_layout([h0, c0] if lstm else [h0]),
        params=[dict(name=n, shape=list(p.shape), data=flat(p)) for n, p in params],
        loss=float(loss), logits=flat(logits), grads={n: flat(p.grad) for n, p in params},
        dState0=state_layout([h0.grad, c0.grad] if lstm else [h0.grad]),
        state1=state_layout([hn, cn] if lstm else [hn]),
    )
    with open(os.path.join(OUT, f'{name}.json'), 'w') as f:
        json.dump(fixture, f)
    print(f'{name}: loss {float(loss):.6f}')


MANUAL = [
    ('lstm-peephole', dict(cell='lstm', peephole=True), 5),
    ('lstm-coupled', dict(cell='lstm', coupled=True), 6),
    ('lstm-peephole-coupled', dict(cell='lstm', peephole=True, coupled=True), 7),
    ('gru-cho', dict(cell='gru'), 8),
    ('gru-minimal', dict(cell='gru', minimal=True), 9),
]

if __name__ == '__main__':
    os.makedirs(OUT, exist_ok=True)
    for name, over, seed in CASES:
        make(name, over, seed)
    for name, over, seed in MANUAL:
        manual(name, over, seed)
