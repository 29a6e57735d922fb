import type { Logger } from './Logger.js';

/** A logger that drops everything, for library use and tests. */
export const nullLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return nullLogger;
  },
};
