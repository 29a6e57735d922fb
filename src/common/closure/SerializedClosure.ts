/**
 * A user function as it travels to executors: its source text plus an explicit environment.
 * `env` maps each free variable name to a value that the codec can encode: plain data,
 * nested SerializedFunction markers, ClosureRef markers (broadcasts, accumulators, modules,
 * library intrinsics).
 */
export interface SerializedClosure {
  /** The function's source, as an expression (`x => x + 1`, `function f(x) {…}`). */
  readonly source: string;
  /** Free variable name → value (encodable). */
  readonly env: Readonly<Record<string, unknown>>;
  /** For messages: the function's name or `map() function` style description. */
  readonly name: string;
}
