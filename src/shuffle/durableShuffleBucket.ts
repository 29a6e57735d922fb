/**
 * The JetStream blob bucket of an application's durable shuffle outputs (`kuberdd.shuffle.durable`);
 * a blob is named by its map output file's base name (`shuffle_<shuffle>_<map>_<attempt>.data`).
 */
export function durableShuffleBucket(appId: string): string {
  return `shuffle-${appId}`;
}
