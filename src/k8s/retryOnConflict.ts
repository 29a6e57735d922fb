import { KubeApiError } from './KubeApiError.js';

/**
 * Runs `attempt` (which must re-read what it updates) again while it fails with 409 Conflict,
 * up to `maxAttempts` times; then the last conflict propagates.
 */
export async function retryOnConflict<T>(attempt: () => Promise<T>, maxAttempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (!KubeApiError.isConflict(error) || i >= maxAttempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10 * i + Math.random() * 10 * i));
    }
  }
}
