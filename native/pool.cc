// The native backend's thread pool. One control word per worker holds the open job's number and
// its state: the caller writes the job, opens it in every worker's word and wakes the worker if it
// sleeps; a worker claims that very job (open → claimed), so a late worker cannot take a stale one.
// Chunks come from one shared counter, so a descheduled worker costs at most the chunk it holds,
// and a job a worker never claimed is cancelled by the caller (open → cancelled), which then runs
// its chunks itself. A gang job runs one chunk per thread at once (they may meet at barriers), so
// the caller waits for every worker to take its chunk.
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
  int index;  // the chunk it runs of a gang job: index + 1
  pthread_t thread;
  float* scratch;
  alignas(64) unsigned ctl;  // (job number << 2) | 0 open, 1 claimed by the worker, 2 cancelled by the caller
  unsigned done;             // the number of the last job the worker finished
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
  // the open job (written before its number is published, unchanged until every worker is done with it)
  alignas(64) int next;
  int chunks;
  int gang;
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
  unsigned seen = 0;  // the last job number this worker took or skipped
  for (;;) {
    unsigned c = LOAD(w->ctl);
    for (int i = 0; (c >> 2) == seen && i < SPIN; i++) {
      relax();
      c = LOAD(w->ctl);
    }
    if ((c >> 2) == seen) {
      pthread_mutex_lock(&w->mu);
      STORE(w->sleeping, 1);
      while (((c = LOAD(w->ctl)) >> 2) == seen) pthread_cond_wait(&w->cv, &w->mu);
      STORE(w->sleeping, 0);
      pthread_mutex_unlock(&w->mu);
    }
    seen = c >> 2;
    if (LOAD(p->closing)) return nullptr;
    // claim this very job (its number is in the word): a job the caller cancelled, or a later one, fails
    if ((c & 3) != 0 || !__atomic_compare_exchange_n(&w->ctl, &c, c | 1, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) continue;
    if (p->gang) p->task(p->job, w->index + 1, w->scratch);
    else run_chunks(p, w->scratch);
    STORE(w->done, seen);
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
    w->index = t;
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

/** The next job number: 30 bits (the control word keeps 2 for the state), never 0 (no job's number). */
static unsigned next_job(Pool* p) {
  p->seq = (p->seq + 1) & 0x3fffffff;
  if (p->seq == 0) p->seq = 1;
  return p->seq;
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
  const unsigned last = next_job(p);
  for (int t = 0; t < p->threads - 1; t++) {
    Worker* w = &p->workers[t];
    pthread_mutex_lock(&w->mu);
    STORE(w->ctl, last << 2 | 2);
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

/** Publish the job, run its chunks here too, and wait for (or cancel) every worker's part. */
static void launch(Pool* p, int chunks, Task task, const void* job, int gang) {
  p->task = task;
  p->job = job;
  p->chunks = chunks;
  p->gang = gang;
  STORE(p->next, 0);
  const unsigned seq = next_job(p);
  for (int t = 0; t < p->threads - 1; t++) {
    STORE(p->workers[t].ctl, seq << 2);  // open
    wake(&p->workers[t]);
  }
  if (gang) task(job, 0, p->scratch);
  else run_chunks(p, p->scratch);
  for (int t = 0; t < p->threads - 1; t++) {
    Worker* w = &p->workers[t];
    unsigned open = seq << 2;
    // a worker that has not started a shared job gives it up (the caller took its chunks); a gang waits for all
    if (!gang && __atomic_compare_exchange_n(&w->ctl, &open, open | 2, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) continue;
    for (int i = 0; LOAD(w->done) != seq; i++) {
      if (i < SPIN) relax();
      else sched_yield();
    }
  }
}

void pool_run(Pool* p, int chunks, Task task, const void* job) {
  if (p->threads == 1 || chunks <= 1) {
    for (int i = 0; i < chunks; i++) task(job, i, p->scratch);
    return;
  }
  launch(p, chunks, task, job, 0);
}

void pool_gang(Pool* p, Task task, const void* job) {
  if (p->threads == 1) task(job, 0, p->scratch);
  else launch(p, p->threads, task, job, 1);
}

void barrier_wait(Barrier* b) {
  const unsigned gen = LOAD(b->gen);
  if (__atomic_add_fetch(&b->count, 1, __ATOMIC_SEQ_CST) == b->n) {
    STORE(b->count, 0);
    STORE(b->gen, gen + 1);
    return;
  }
  for (int i = 0; LOAD(b->gen) == gen; i++) {
    if (i < SPIN) relax();
    else sched_yield();
  }
}
