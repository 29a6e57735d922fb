/**
 * Starts executors for a NatsSchedulerBackend: child processes on this machine
 * (LocalClusterLauncher), pods on Kubernetes. An executor, once started, registers itself with
 * the driver over NATS; the launcher only makes it exist and reports when it stops existing.
 */
export interface ExecutorLauncher {
  /**
   * Starts `count` more executors. `env` is what each one needs to find and trust the driver
   * (KUBERDD_NATS_URL, KUBERDD_APP_ID, KUBERDD_SECRET, …), to be set in its environment.
   * Resolves once they were started, not once they registered.
   */
  launch(count: number, env: Readonly<Record<string, string>>): Promise<void>;
  /** Stops every executor it started (and whatever else it started for them) and waits for them to be gone. */
  stop(): Promise<void>;
  /**
   * Called when an executor this launcher started ended without being asked to (a crash,
   * `kill -9`, a deleted pod), so the driver need not wait for its heartbeats to time out.
   */
  onExecutorExit?(listener: (executorId: string, reason: string) => void): void;
  /** Ends one executor the driver gave up on (no heartbeats); it is not reported by onExecutorExit. */
  killExecutor?(executorId: string): void;
}
