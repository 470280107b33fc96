// Threads that share the calling thread's GEMMs and recurrences (pool.cc).
#pragma once
#include "simd.h"

struct Pool;
/** Chunk `chunk` of a job, run on a thread whose GEMM scratch is `scratch`. */
typedef void (*Task)(const void* job, int chunk, float* scratch);

/** A pool of `threads` threads in all (the caller is one), each with its GEMM scratch; null if out of memory. */
Pool* pool_create(int threads);
void pool_destroy(Pool* pool);
int pool_threads(const Pool* pool);
/** The calling thread's scratch. */
float* pool_scratch(Pool* pool);
/** Run chunks 0…chunks−1 of `job` on the caller and the workers; returns when all are done. */
void pool_run(Pool* pool, int chunks, Task task, const void* job);
/** Run chunk t of `job` on thread t, every thread at once (chunks may wait for each other at a barrier). */
void pool_gang(Pool* pool, Task task, const void* job);

/** The threads of a gang job meet here, n of them, again and again. */
struct Barrier {
  int n;
  alignas(64) unsigned count;
  unsigned gen;
};
void barrier_wait(Barrier* b);
