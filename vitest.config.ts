import { defineConfig } from "vitest/config";

// Integration tests start real nats-servers and actor processes: give them room, and
// don't run many at once on a 2-core machine.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: "forks",
    maxWorkers: 2,
    reporters: ["default"],
  },
});
