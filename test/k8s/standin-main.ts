// CLI: starts the Kubernetes API stand-in for manual use with kubectl.
//   node --import tsx test/k8s/standin-main.ts [--port 6443] [--crd crds/sparkjob.yaml …] [--kubeconfig path] [--token t] [--verbose]
import { parseArgs } from 'node:util';
import { StandInApiServer } from './StandInApiServer.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '6443' },
    host: { type: 'string', default: '127.0.0.1' },
    crd: { type: 'string', multiple: true, default: [] },
    kubeconfig: { type: 'string' },
    token: { type: 'string' },
    'bookmark-interval-ms': { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port ${values.port}: not a port number (0-65535; 0 picks a free one)`);
  process.exit(2);
}

const server = await StandInApiServer.start({
  port,
  host: values.host,
  crdFiles: values.crd,
  ...(values.kubeconfig === undefined ? {} : { kubeconfigPath: values.kubeconfig }),
  ...(values.token === undefined ? {} : { token: values.token }),
  ...(values['bookmark-interval-ms'] === undefined ? {} : { bookmarkIntervalMs: Number(values['bookmark-interval-ms']) }),
  ...(values.verbose ? { log: (line: string) => console.error(line) } : {}),
});
for (const rule of server.unsupportedCelRules) console.error(`warning: CEL rule not enforced by the stand-in: ${rule}`);
console.log(`kuberdd Kubernetes stand-in listening on ${server.url}`);
console.log(`kubeconfig: ${server.kubeconfigPath}`);
console.log(`try: kubectl --kubeconfig ${server.kubeconfigPath} get namespaces`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void server.stop().then(() => process.exit(0));
  });
}
