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
  readonly speculative: boolean;
  readonly kind: 'shuffleMap' | 'result';
}
