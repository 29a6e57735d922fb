/** The help text of `kuberdd run`; also appended to its usage errors. */
export const runUsage = `Usage: kuberdd run [options] <job.ts|job.js> [job args…]

Runs a job file's default export, \`export default async function main(sc, args) { … }\`.
Options go before the job file; everything after it is passed to the job as \`args\`.

Options:
  --master <url>       where to run: local, local[N], local[*] (threads; default local[*]),
                       local-cluster[N] or local-cluster[N,cores,memoryMiB] (executor processes)
  --nats <url>         the NATS server local-cluster executors use (default: start one)
  --conf <key=value>   a configuration entry; repeatable
  --name <name>        the application name (default: the job file's name)
  --quiet              no progress bar and no summary
  --verbose            on failure, also print the executor's stack trace
  -h, --help           show this help`;
