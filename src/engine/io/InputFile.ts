/** One input file found by `listInputFiles`: its absolute path and its size in bytes when listed. */
export interface InputFile {
  readonly path: string;
  readonly size: number;
}
