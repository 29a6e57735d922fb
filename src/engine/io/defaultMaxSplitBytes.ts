/** Largest byte range one `textFile` task reads by default (Hadoop's usual block size). */
export const DEFAULT_MAX_SPLIT_BYTES = 64 * 1024 * 1024;
