// Vector width and GEMM tile of the host, chosen at build time (-march=native): GCC/Clang vector
// extensions, so one source serves AVX-512, AVX2, NEON and plain SSE2.
#pragma once
#include <stddef.h>
#include <stdint.h>

#if defined(__AVX512F__)
#define RNN_ISA "AVX-512"
constexpr int VL = 16;  // floats per vector
constexpr int MR = 8;   // micro-kernel rows: 16 accumulators + 2 B vectors of the 32 zmm registers
#elif defined(__AVX2__) && defined(__FMA__)
#define RNN_ISA "AVX2"
constexpr int VL = 8;
constexpr int MR = 6;   // 12 accumulators + 2 B vectors + 1 broadcast of the 16 ymm registers
#elif defined(__aarch64__)
#define RNN_ISA "NEON"
constexpr int VL = 4;
constexpr int MR = 8;   // 16 accumulators of the 32 NEON registers
#else
#define RNN_ISA "SSE2"
constexpr int VL = 4;
constexpr int MR = 4;
#endif
constexpr int NR = 2 * VL;  // micro-kernel columns: two vectors

typedef float vf __attribute__((vector_size(VL * 4)));
typedef int32_t vi __attribute__((vector_size(VL * 4)));
typedef float vfu __attribute__((vector_size(VL * 4), aligned(4), may_alias));

static inline vf vload(const float* p) { return *(const vfu*)p; }
static inline void vstore(float* p, vf x) { *(vfu*)p = x; }
static inline vf vsplat(float x) { return vf{} + x; }

/** a·b + c, fused where the vector code is (so that a scalar tail has the bits of the vector body). */
#if defined(__FMA__) || defined(__aarch64__)
static inline float fmadd(float a, float b, float c) { return __builtin_fmaf(a, b, c); }
#else
static inline float fmadd(float a, float b, float c) { return a * b + c; }
#endif
