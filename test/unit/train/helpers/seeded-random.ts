/** The seeded PRNG randomised tests use: the one train/ ships (mulberry32), so tests and code draw alike. */
export { seededRandom } from "../../../../train/index.js";
