"""Helper of torch.test.ts, run once for every model (python and torch cost seconds to start).

stdin: {"python": dir of rnn_torch.py, "held": text file, "models": [{"name", "path", "noise", "kept", "bare", "perturbed"}],
        "texts": [str], "vocabs": {"line": vocab, ...}}
stdout: {"models": {name: {"module", "nats", "perturbedNats"}}, "encoded" / "encodedEnd" / "decoded": {eos: [per text]}}
For each model: load the exported file, its nats/char on the held-out text; then the same module
with every parameter moved by noise·N(0, 1) (strong weights, where a wrong equation shows) saved to
`perturbed` with its training record, and its nats/char. The module as loaded is saved to `kept`
with its training record and to `bare` with training=None.
"""
import json
import sys

import torch

job = json.load(sys.stdin)
sys.path.insert(0, job["python"])
import rnn_torch  # noqa: E402

torch.set_num_threads(1)
with open(job["held"], "rb") as f:
    held = f.read().decode("utf-8")  # as rnn reads a file: nats_per_char drops the BOM and reads CRLF as LF

out = {"models": {}, "encoded": {}, "encodedEnd": {}, "decoded": {}}
for m in job["models"]:
    module = rnn_torch.load(m["path"])
    stack = module.rnn.fwd if module.config["bidirectional"] else module.rnn
    r = {"module": type(module).__name__ + "/" + type(stack).__name__, "nats": rnn_torch.nats_per_char(module, held)}
    rnn_torch.save(module, module.vocab, m["kept"], training=module.training_record)
    rnn_torch.save(module, module.vocab, m["bare"])
    torch.manual_seed(0)
    with torch.no_grad():
        for p in module.parameters():
            p.add_(m["noise"] * torch.randn_like(p))
    r["perturbedNats"] = rnn_torch.nats_per_char(module, held)
    rnn_torch.save(module, module.vocab, m["perturbed"], training=module.training_record)
    out["models"][m["name"]] = r

for eos, vocab in job["vocabs"].items():
    out["encoded"][eos] = [rnn_torch.encode(vocab, t) for t in job["texts"]]
    out["encodedEnd"][eos] = [rnn_torch.encode(vocab, t, start=False, end=True) for t in job["texts"]]
    out["decoded"][eos] = [rnn_torch.decode(vocab, rnn_torch.encode(vocab, t, start=False)) for t in job["texts"]]
json.dump(out, sys.stdout)
