// The native backend's thread pool. One control block per worker: the caller writes the job,
// bumps `seq`, opens the job (claim = 0) and wakes the worker if it sleeps. Chunks come from one
// shared counter, so a descheduled worker costs at most the chunk it holds, and a job a worker
// never claimed is cancelled by the caller (claim 0 → 2), which then runs its chunks itself.
// Between jobs a worker spins (~0.3 ms) before sleeping: a wake-up costs more than the element-wise
// work between two per-step GEMMs. Bits do not depend on which thread runs a chunk.
#include "pool.h"
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include "gemm.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
static inline void relax() { _mm_pause(); }
#elif defined(__aarch64__)
static inline void relax() { __asm__ __volatile__("yield"); }
#else
static inline void relax() {}
#endif

constexpr int SPIN = 20000;  // polls before sleeping

struct Worker {
  Pool* pool;
  pthread_t thread;
  float* scratch;
  alignas(64) unsigned seq;  // the latest job's number
  unsigned claim;            // 0 open, 1 claimed by the worker, 2 cancelled by the caller
  unsigned done;             // seq of the last job the worker finished
  int sleeping;
  pthread_mutex_t mu;
  pthread_cond_t cv;
};

struct Pool {
  int threads;
  Worker* workers;  // threads − 1
  float* scratch;   // the caller's
  unsigned seq;
  int closing;
  // the open job
  alignas(64) int next;
  int chunks;
  Task task;
  const void* job;
};

#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_SEQ_CST)
#define STORE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_SEQ_CST)

static void run_chunks(Pool* p, float* scratch) {
  for (int i = __atomic_fetch_add(&p->next, 1, __ATOMIC_SEQ_CST); i < p->chunks; i = __atomic_fetch_add(&p->next, 1, __ATOMIC_SEQ_CST))
    p->task(p->job, i, scratch);
}

static void* worker_main(void* arg) {
  Worker* w = (Worker*)arg;
  Pool* p = w->pool;
  unsigned mine = 0;
  for (;;) {
    unsigned s = LOAD(w->seq);
    for (int i = 0; s == mine && i < SPIN; i++) {
      relax();
      s = LOAD(w->seq);
    }
    if (s == mine) {
      pthread_mutex_lock(&w->mu);
      STORE(w->sleeping, 1);
      while ((s = LOAD(w->seq)) == mine) pthread_cond_wait(&w->cv, &w->mu);
      STORE(w->sleeping, 0);
      pthread_mutex_unlock(&w->mu);
    }
    mine = s;
    if (LOAD(p->closing)) return nullptr;
    unsigned open = 0;
    if (!__atomic_compare_exchange_n(&w->claim, &open, 1u, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) continue;
    mine = LOAD(w->seq);  // the job this claim belongs to (claim opens after seq is set)
    run_chunks(p, w->scratch);
    STORE(w->done, mine);
  }
}

static float* new_scratch() {
  void* q = nullptr;
  if (posix_memalign(&q, 64, SCRATCH_FLOATS * sizeof(float)) != 0) return nullptr;
  return (float*)q;
}

Pool* pool_create(int threads) {
  Pool* p = (Pool*)calloc(1, sizeof(Pool));
  if (!p) return nullptr;
  p->threads = 1;
  p->scratch = new_scratch();
  p->workers = (Worker*)calloc(threads > 1 ? threads - 1 : 1, sizeof(Worker));
  if (!p->scratch || !p->workers) {
    pool_destroy(p);
    return nullptr;
  }
  for (int t = 0; t < threads - 1; t++) {
    Worker* w = &p->workers[t];
    w->pool = p;
    w->claim = 2;
    w->scratch = new_scratch();
    if (!w->scratch) break;
    pthread_mutex_init(&w->mu, nullptr);
    pthread_cond_init(&w->cv, nullptr);
    if (pthread_create(&w->thread, nullptr, worker_main, w) != 0) {
      free(w->scratch);
      break;
    }
    p->threads++;  // fewer threads if the system refuses one
  }
  return p;
}

static void wake(Worker* w) {
  if (LOAD(w->sleeping)) {
    pthread_mutex_lock(&w->mu);
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
  }
}

void pool_destroy(Pool* p) {
  if (!p) return;
  STORE(p->closing, 1);
  p->seq++;
  for (int t = 0; t < p->threads - 1; t++) {
    Worker* w = &p->workers[t];
    pthread_mutex_lock(&w->mu);
    STORE(w->seq, p->seq);
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, nullptr);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    free(w->scratch);
  }
  free(p->workers);
  free(p->scratch);
  free(p);
}

int pool_threads(const Pool* p) { return p->threads; }
float* pool_scratch(Pool* p) { return p->scratch; }

void pool_run(Pool* p, int chunks, Task task, const void* job) {
  if (p->threads == 1 || chunks <= 1) {
    for (int i = 0; i < chunks; i++) task(job, i, p->scratch);
    return;
  }
  p->task = task;
  p->job = job;
  p->chunks = chunks;
  STORE(p->next, 0);
  const unsigned seq = ++p->seq;
  for (int t = 0; t < p->threads - 1; t++) {
    Worker* w = &p->workers[t];
    STORE(w->seq, seq);
    STORE(w->claim, 0u);  // after seq: a claim of this open job re-reads seq = this job's
    wake(w);
  }
  run_chunks(p, p->scratch);
  for (int t = 0; t < p->threads - 1; t++) {
    Worker* w = &p->workers[t];
    unsigned open = 0;
    if (__atomic_compare_exchange_n(&w->claim, &open, 2u, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) continue;  // never started
    for (int i = 0; LOAD(w->done) != seq; i++) {
      if (i < SPIN) relax();
      else sched_yield();
    }
  }
}
