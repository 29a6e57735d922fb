import { KuberddError } from '../common/errors/KuberddError.js';

/** Thrown inside a task when the driver asked to kill it. */
export class TaskKilledError extends KuberddError {
  override name = 'TaskKilled';
  constructor(taskId: number) {
    super('TASK_KILLED', `task ${taskId} was killed`);
  }
}
