/** A checker's verdict on a chaos run: pass or fail, one line why, and the evidence behind it. */
export interface CheckerVerdict {
  readonly checker: string;
  readonly ok: boolean;
  /** One line a person reads first. */
  readonly summary: string;
  /** The figures the verdict rests on. */
  readonly evidence: Record<string, unknown>;
}
