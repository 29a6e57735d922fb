/** The help text of `kuberdd executor`. */
export const executorUsage = `Usage: kuberdd executor --nats <url> --app <id> [options]

Runs one executor of an application whose driver reaches it through NATS: it registers with
the driver, runs the tasks it is sent and serves its shuffle outputs to the other executors.
It exits when the driver tells it to, or when the driver has been gone for a minute.
'kuberdd run --master local-cluster[N]' starts N of these itself.

Options:
  --nats <url>            the NATS server(s), nats://host:4222 (env KUBERDD_NATS_URL)
  --app <id>              the application id (env KUBERDD_APP_ID)
  --executor-id <id>      this executor's name (env KUBERDD_EXECUTOR_ID; default: host name + random)
  --cores <n>             task slots offered to the driver (default 1)
  --secret-file <file>    the application's secret, in hex (default: env KUBERDD_SECRET)
  --local-dir <dir>       where shuffle files and spilled blocks go (env KUBERDD_LOCAL_DIR; default: the temp dir)
  --memory <MiB>          heap limit of the task thread
  --log-format <format>   json or text (default text)
  --nats-user <user>, --nats-password <pw>, --nats-token <token>
  --nats-tls-ca <file>, --nats-tls-cert <file>, --nats-tls-key <file>
                          NATS credentials (env KUBERDD_NATS_USER, _PASSWORD, _TOKEN, _TLS_CA, _TLS_CERT, _TLS_KEY)
  -h, --help              show this help`;
