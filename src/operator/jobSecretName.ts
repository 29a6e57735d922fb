/** The per-job Secret holding the signing key (and inline job source). */
export function jobSecretName(jobName: string): string {
  return `${jobName}-kuberdd`;
}
