// CLI: runs the pod runner against a cluster (normally the stand-in).
//   node --import tsx test/k8s/podrunner-main.ts --kubeconfig <path> [--node standin-node] [--workdir .] [--log-dir dir]
//     [--pull-failure never-pulls] [--entrypoint '<image regexp>=<command …>'] [--verbose]
import { parseArgs } from 'node:util';
import { PodRunner } from './PodRunner.js';

const { values } = parseArgs({
  options: {
    kubeconfig: { type: 'string' },
    node: { type: 'string', default: 'standin-node' },
    workdir: { type: 'string' },
    'log-dir': { type: 'string' },
    'pull-failure': { type: 'string', default: 'never-pulls' },
    entrypoint: { type: 'string', multiple: true, default: [] },
    verbose: { type: 'boolean', default: false },
  },
});

if (!values.kubeconfig) {
  console.error('--kubeconfig <path> is required (the stand-in prints its kubeconfig path when it starts)');
  process.exit(2);
}
const entrypoints = values.entrypoint.map((spec) => {
  const at = spec.indexOf('=');
  if (at <= 0) {
    console.error(`--entrypoint ${spec}: expected '<image regexp>=<command and arguments>', e.g. 'kuberdd=node bin/kuberdd.js'`);
    process.exit(2);
  }
  return { image: new RegExp(spec.slice(0, at)), command: spec.slice(at + 1).split(/\s+/).filter(Boolean) };
});

const runner = await PodRunner.start({
  kubeconfigPath: values.kubeconfig,
  nodeName: values.node,
  pullFailurePattern: new RegExp(values['pull-failure']),
  entrypoints,
  ...(values.workdir === undefined ? {} : { workDir: values.workdir }),
  ...(values['log-dir'] === undefined ? {} : { logDir: values['log-dir'] }),
  log: values.verbose ? (line) => console.error(line) : () => undefined,
});
console.log(`pod runner on node ${runner.nodeName}`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void runner.stop().then(() => process.exit(0));
  });
}
