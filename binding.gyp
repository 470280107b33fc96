{
  "targets": [{
    "target_name": "rnn_native",
    "sources": [
      "native/addon.cc", "native/gemm.cc", "native/cells.cc", "native/ln_lstm.cc", "native/loss.cc",
      "native/update.cc", "native/pool.cc", "native/parallel.cc", "native/units.cc"
    ],
    "cflags_cc!": ["-fno-exceptions", "-O2", "-O3"],
    "cflags_cc": ["-O3", "-march=native", "-fno-math-errno", "-ffp-contract=fast", "-std=gnu++17", "-fno-exceptions"],
    "cflags!": ["-O2"],
    "ldflags": ["-pthread"],
    "xcode_settings": {
      "OTHER_CPLUSPLUSFLAGS": ["-O3", "-mcpu=native", "-fno-math-errno", "-ffp-contract=fast", "-std=gnu++17"]
    }
  }]
}
