/** Where a SparkJob is in its life; Succeeded and Failed are final. */
export const sparkJobPhases = ['New', 'Submitted', 'Running', 'Succeeded', 'Failed', 'Restarting', 'Suspended'] as const;

export type SparkJobPhase = (typeof sparkJobPhases)[number];

export function isTerminalPhase(phase: SparkJobPhase | undefined): phase is 'Succeeded' | 'Failed' {
  return phase === 'Succeeded' || phase === 'Failed';
}
