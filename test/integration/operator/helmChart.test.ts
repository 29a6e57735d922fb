import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { driverPermissions } from '../../../src/api/driverPermissions.js';
import { leaderElectionPermissions, operatorPermissions } from '../../../src/operator/operatorPermissions.js';
import { renderHelmTemplate } from './renderHelmTemplate.js';

const root = path.resolve(import.meta.dirname, '../../..');
const chart = path.join(root, 'charts/kuberdd');
const values = yaml.load(readFileSync(path.join(chart, 'values.yaml'), 'utf8')) as Record<string, unknown>;
const context = { Values: values, Release: { Name: 'kuberdd', Namespace: 'kuberdd-system' }, Chart: yaml.load(readFileSync(path.join(chart, 'Chart.yaml'), 'utf8')) };

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  [key: string]: unknown;
}
type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };

const templates = readdirSync(path.join(chart, 'templates')).filter((f) => f.endsWith('.yaml'));
const manifests: Manifest[] = templates.flatMap((file) => {
  const text = renderHelmTemplate(readFileSync(path.join(chart, 'templates', file), 'utf8'), context);
  return (yaml.loadAll(text) as (Manifest | null)[]).filter((m): m is Manifest => m !== null);
});
const find = (kind: string, name: string, namespace?: string) => manifests.filter((m) => m.kind === kind && m.metadata.name === name && (namespace === undefined || m.metadata.namespace === namespace));
const grants = (rules: readonly Rule[]) => rules.flatMap((r) => r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((v) => `${g}/${res}:${v}`)))).sort();
const permissions = (list: readonly { apiGroup: string; resource: string; verbs: readonly string[] }[]) => list.flatMap((p) => p.verbs.map((v) => `${p.apiGroup}/${p.resource}:${v}`)).sort();

describe('the Helm chart rendered with its default values', () => {
  it('renders every template into manifests that parse and name themselves', () => {
    expect(templates.length).toBeGreaterThanOrEqual(5);
    for (const m of manifests) {
      expect(m.apiVersion, JSON.stringify(m.metadata)).toMatch(/\S/);
      expect(m.kind).toMatch(/^[A-Z]/);
      expect(m.metadata.name).toMatch(/^[a-z0-9-.]+$/);
    }
    expect(manifests.map((m) => m.kind).sort()).toEqual(
      ['Deployment', 'Deployment', 'Role', 'Role', 'Role', 'RoleBinding', 'RoleBinding', 'RoleBinding', 'Service', 'Service', 'ServiceAccount', 'ServiceAccount'].sort(),
    );
  });

  it('ships the CRD of crds/sparkjob.yaml unchanged', () => {
    expect(readFileSync(path.join(chart, 'crds/sparkjob.yaml'), 'utf8')).toBe(readFileSync(path.join(root, 'crds/sparkjob.yaml'), 'utf8'));
    const crd = yaml.load(readFileSync(path.join(chart, 'crds/sparkjob.yaml'), 'utf8')) as { metadata: { name: string } };
    expect(crd.metadata.name).toBe('sparkjobs.kuberdd.io');
  });

  it('grants the operator exactly what src/operator/operatorPermissions.ts lists, in each job namespace only', () => {
    const [role] = find('Role', 'kuberdd-operator', 'default');
    expect(grants(role!['rules'] as Rule[])).toEqual(permissions(operatorPermissions));
    const [lease] = find('Role', 'kuberdd-leader-election', 'kuberdd-system');
    expect(grants(lease!['rules'] as Rule[])).toEqual(permissions(leaderElectionPermissions));
    expect(manifests.some((m) => m.kind === 'ClusterRole' || m.kind === 'ClusterRoleBinding')).toBe(false);
    for (const name of ['kuberdd-operator', 'kuberdd-leader-election']) {
      const [binding] = find('RoleBinding', name);
      expect(binding!['roleRef']).toMatchObject({ kind: 'Role', name });
      expect(binding!['subjects']).toEqual([{ kind: 'ServiceAccount', name: 'kuberdd-operator', namespace: 'kuberdd-system' }]);
    }
    expect(find('ServiceAccount', 'kuberdd-operator', 'kuberdd-system')).toHaveLength(1);
  });

  it('lets drivers manage pods in their own namespace only, as src/api/driverPermissions.ts lists', () => {
    const [role] = find('Role', 'kuberdd-driver', 'default');
    expect(grants(role!['rules'] as Rule[])).toEqual(permissions(driverPermissions));
    const [binding] = find('RoleBinding', 'kuberdd-driver', 'default');
    expect(binding!['subjects']).toEqual([{ kind: 'ServiceAccount', name: 'kuberdd-driver', namespace: 'default' }]);
    // The CRD's default spec.driver.serviceAccountName is the account the chart creates.
    const crd = readFileSync(path.join(root, 'crds/sparkjob.yaml'), 'utf8');
    expect(crd).toContain('default: kuberdd-driver');
    expect(find('ServiceAccount', 'kuberdd-driver', 'default')).toHaveLength(1);
  });

  it('runs `kuberdd operator` watching the job namespaces, with leader election, probes and metrics', () => {
    const [deployment] = find('Deployment', 'kuberdd-operator', 'kuberdd-system');
    const pod = (deployment!['spec'] as { template: { spec: { serviceAccountName: string; containers: { image: string; args: string[]; livenessProbe: unknown; readinessProbe: unknown; resources: unknown }[] } } }).template.spec;
    expect(pod.serviceAccountName).toBe('kuberdd-operator');
    const container = pod.containers[0]!;
    expect(container.image).toBe('kuberdd:0.1.0');
    expect(container.args[0]).toBe('operator');
    expect(container.args).toEqual(
      expect.arrayContaining(['--namespace=default', '--metrics-port=8080', '--leader-elect', '--leader-elect-namespace=kuberdd-system', '--lease-name=kuberdd-operator', '--default-nats-url=nats://kuberdd-nats.kuberdd-system.svc:4222']),
    );
    expect(container.livenessProbe).toMatchObject({ httpGet: { path: '/healthz' } });
    expect(container.readinessProbe).toMatchObject({ httpGet: { path: '/readyz' } });
    expect(container.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } });
    expect(find('Service', 'kuberdd-nats', 'kuberdd-system')).toHaveLength(1);
    expect(find('Service', 'kuberdd-operator-metrics', 'kuberdd-system')).toHaveLength(1);
  });

  it('the renderer rejects template features the chart must not use', () => {
    expect(() => renderHelmTemplate('{{ include "x" . }}', context)).toThrow(/unsupported/);
    expect(() => renderHelmTemplate('{{ .Values.image.tag | upper }}', context)).toThrow(/unsupported template function 'upper'/);
    expect(() => renderHelmTemplate('{{- if .Values.nats.inCluster }}x', context)).toThrow(/missing \{\{ end \}\}/);
  });
});
