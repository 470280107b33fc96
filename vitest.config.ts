import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // the slow group (a 200 MB corpus) runs with `npm run test:slow`; .ci/run runs both
    exclude: process.env.RNN_SLOW_TESTS ? [] : ['test/**/*.slow.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // most tests wait on an rnn child process: two files at a time keep both cores busy
    maxWorkers: 2,
    // and each rnn they start runs one worker thread, so that two never share a core (RNN_THREADS)
    env: { RNN_THREADS: '1' },
  },
});
