/** The help text of `kuberdd operator`. */
export const operatorUsage = `Usage: kuberdd operator [--namespace <ns>[,<ns>…] | --all-namespaces] [options]

Runs the SparkJob operator: watches SparkJobs (kuberdd.io/v1alpha1) and the pods they own,
creates each job's Secret and driver pod, restarts failed drivers under restartPolicy, and
keeps the job's status. Inside a pod it uses the pod's service account; elsewhere
--kubeconfig, $KUBECONFIG or ~/.kube/config.

Options:
  --namespace <ns,…>          namespaces to watch (repeatable; default: all namespaces)
  --all-namespaces            watch every namespace
  --kubeconfig <file>         a kubeconfig instead of the in-cluster service account
  --metrics-port <port>       serve /metrics, /healthz and /readyz on this port (default 8080; 0 = any free port)
  --leader-elect              elect one active replica through a Lease
  --leader-elect-namespace <ns>
                              the Lease's namespace (default: env POD_NAMESPACE, then 'default')
  --lease-name <name>         the Lease's name (default kuberdd-operator)
  --default-nats-url <url>    NATS for SparkJobs that name none (default: env KUBERDD_NATS_URL)
  --driver-command <json>     the driver pod's command as a JSON array (default ["kuberdd","driver"])
  --concurrency <n>           SparkJobs reconciled at once (default 4)
  --log-format <format>       json or text (default json)
  -h, --help                  show this help`;
