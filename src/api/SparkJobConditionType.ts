/**
 * Condition types in a SparkJob's status. Exactly one of Submitted (a driver pod exists but has
 * not started), Running, Restarting, Suspended, Complete and Failed is True at a time.
 */
export const sparkJobConditionTypes = ['Submitted', 'Running', 'Restarting', 'Suspended', 'Complete', 'Failed'] as const;

export type SparkJobConditionType = (typeof sparkJobConditionTypes)[number];
