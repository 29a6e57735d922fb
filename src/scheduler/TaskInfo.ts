/** One launched task attempt, as the schedulers track it. */
export interface TaskInfo {
  readonly taskId: number;
  readonly stageId: number;
  readonly stageAttempt: number;
  readonly partition: number;
  /** Index of the task in its task set (= position in the stage attempt's partition list). */
  readonly index: number;
  readonly attemptNumber: number;
  readonly executorId: string;
  readonly launchTime: number;
  /** A backup copy of a straggler, launched while the original still runs. */
  readonly speculative: boolean;
  readonly kind: 'shuffleMap' | 'result';
  /** Bad-record skipping: the attempt reads one input record per batch (it follows a failure). */
  readonly isolateRecords?: boolean | undefined;
  /** Bad-record skipping: input positions the attempt drops. */
  readonly skipRecords?: readonly number[] | undefined;
}
