/**
 * Whether a file is read as gzip. Decided by name, like Hadoop's codec lookup, so that planning
 * does not have to open files; case-insensitive because `.GZ` files exist in the wild.
 */
export function isGzipPath(path: string): boolean {
  return path.toLowerCase().endsWith('.gz');
}
