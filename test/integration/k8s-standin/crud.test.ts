// The stand-in's REST semantics, through client-node only: CRUD, conflicts, patches, the status
// subresource and generation, schema validation, selectors, cascading deletion, finalizers.
import { PatchStrategy, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure, GROUP, PLURAL, startStandIn, testJob, eventually, VERSION, type StandIn } from './standinHarness.js';

let k: StandIn;
beforeAll(async () => {
  k = await startStandIn();
});
afterAll(async () => {
  await k.server.stop();
});

const ns = 'default';
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const jsonPatch = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);
const strategic = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);

function pod(name: string, labels?: Record<string, string>): V1Pod {
  return { metadata: { name, ...(labels ? { labels } : {}) }, spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox', command: ['true'] }] } };
}

type Job = { metadata: { name: string; resourceVersion: string; generation: number; uid: string }; spec: Record<string, unknown>; status?: Record<string, unknown> };

describe('StandInApiServer CRUD', () => {
  it('creates, reads, lists, updates and deletes pods and secrets, with server-set metadata', async () => {
    const created = await k.core.createNamespacedPod({ namespace: ns, body: pod('crud-pod') });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number(created.metadata?.resourceVersion)).toBeGreaterThan(0);
    expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date);
    expect(created.status?.phase).toBe('Pending');
    expect(created.spec?.terminationGracePeriodSeconds).toBe(30);

    const read = await k.core.readNamespacedPod({ namespace: ns, name: 'crud-pod' });
    expect(read.metadata?.uid).toBe(created.metadata?.uid);

    const secret = await k.core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 's1' }, stringData: { password: 'hunter2' } } });
    expect(secret.data?.password).toBe(Buffer.from('hunter2').toString('base64'));
    expect(secret.type).toBe('Opaque');

    const list = await k.core.listNamespacedSecret({ namespace: ns });
    expect(list.items.map((s) => s.metadata?.name)).toContain('s1');
    expect(Number(list.metadata?.resourceVersion)).toBeGreaterThanOrEqual(Number(secret.metadata?.resourceVersion));

    secret.data = { password: Buffer.from('changed').toString('base64') };
    const updated = await k.core.replaceNamespacedSecret({ namespace: ns, name: 's1', body: secret });
    expect(Number(updated.metadata?.resourceVersion)).toBeGreaterThan(Number(secret.metadata?.resourceVersion));

    await k.core.deleteNamespacedSecret({ namespace: ns, name: 's1' });
    expect((await failure(k.core.readNamespacedSecret({ namespace: ns, name: 's1' }))).status).toMatchObject({ code: 404, reason: 'NotFound', message: 'secrets "s1" not found' });
    // an unbound pod is deleted at once
    await k.core.deleteNamespacedPod({ namespace: ns, name: 'crud-pod' });
    expect((await failure(k.core.readNamespacedPod({ namespace: ns, name: 'crud-pod' }))).code).toBe(404);
  });

  it('answers 409 AlreadyExists on create and 409 Conflict on a stale update', async () => {
    await k.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'cm' }, data: { a: '1' } } });
    const exists = await failure(k.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'cm' } } }));
    expect(exists.code).toBe(409);
    expect(exists.status.reason).toBe('AlreadyExists');

    const first = await k.core.readNamespacedConfigMap({ namespace: ns, name: 'cm' });
    await k.core.replaceNamespacedConfigMap({ namespace: ns, name: 'cm', body: { ...first, data: { a: '2' } } });
    const stale = await failure(k.core.replaceNamespacedConfigMap({ namespace: ns, name: 'cm', body: { ...first, data: { a: '3' } } }));
    expect(stale.code).toBe(409);
    expect(stale.status.reason).toBe('Conflict');
    expect(stale.status.message).toContain('the object has been modified');

    const job = (await k.custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural: PLURAL, body: testJob('conflict') })) as Job;
    const noVersion = { ...job, metadata: { ...job.metadata, resourceVersion: undefined } };
    const missing = await failure(k.custom.replaceNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural: PLURAL, name: 'conflict', body: noVersion }));
    expect(missing.code).toBe(422);
    expect(missing.status.message).toContain('metadata.resourceVersion: Invalid value: 0x0: must be specified for an update');
  });

  it('applies merge, JSON and strategic merge patches', async () => {
    await k.core.createNamespacedPod({ namespace: ns, body: { ...pod('patched', { app: 'x' }), spec: { containers: [{ name: 'a', image: 'i1' }, { name: 'b', image: 'i2' }] } } });
    const merged = await k.core.patchNamespacedPod({ namespace: ns, name: 'patched', body: { metadata: { labels: { app: null, tier: 'web' } } } }, merge);
    expect(merged.metadata?.labels).toEqual({ tier: 'web' });

    const jsonPatched = await k.core.patchNamespacedPod(
      { namespace: ns, name: 'patched', body: [{ op: 'add', path: '/metadata/annotations', value: { note: 'hi' } }, { op: 'replace', path: '/spec/containers/0/image', value: 'i3' }] },
      jsonPatch,
    );
    expect(jsonPatched.metadata?.annotations).toEqual({ note: 'hi' });
    expect(jsonPatched.spec?.containers[0]?.image).toBe('i3');

    // strategic merge: containers merge by name instead of replacing the list
    const smp = await k.core.patchNamespacedPod({ namespace: ns, name: 'patched', body: { spec: { containers: [{ name: 'b', image: 'i4' }] } } }, strategic);
    expect(smp.spec?.containers.map((c) => `${c.name}=${c.image}`)).toEqual(['a=i3', 'b=i4']);

    const failedTest = await failure(k.core.patchNamespacedPod({ namespace: ns, name: 'patched', body: [{ op: 'test', path: '/metadata/name', value: 'other' }] }, jsonPatch));
    expect(failedTest.code).toBe(422);

    // custom resources do not take strategic merge patches (as on a real server)
    await k.custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural: PLURAL, body: testJob('smp') });
    const unsupported = await failure(k.custom.patchNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural: PLURAL, name: 'smp', body: { spec: { mode: 'client' } } }, strategic));
    expect(unsupported.code).toBe(415);
  });

  it('keeps spec and status apart: the status subresource, and generation bumped by spec changes only', async () => {
    const created = (await k.custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural: PLURAL, body: { ...testJob('gen'), status: { phase: 'Running' } } })) as Job;
    expect(created.metadata.generation).toBe(1);
    expect(created.status).toBeUndefined(); // status is dropped on create when the subresource is enabled

    const statusOnly = (await k.custom.patchNamespacedCustomObjectStatus(
      { group: GROUP, version: VERSION, namespace: ns, plural: PLURAL, name: 'gen', body: { status: { phase: 'Running' }, spec: { mode: 'client' }, metadata: { labels: { ignored: 'yes' } } } },
      merge,
    )) as Job & { metadata: { labels?: Record<string, string> } };
    expect(statusOnly.status).toEqual({ phase: 'Running' });
    expect(statusOnly.spec.mode).toBe('cluster'); // spec changes through /status are ignored
    expect(statusOnly.metadata.labels).toBeUndefined();
    expect(statusOnly.metadata.generation).toBe(1);

    const mainOnly = (await k.custom.patchNamespacedCustomObject(
      { group: GROUP, version: VERSION, namespace: ns, plural: PLURAL, name: 'gen', body: { status: { phase: 'Failed' }, metadata: { labels: { l: 'v' } } } },
      merge,
    )) as Job;
    expect(mainOnly.status).toEqual({ phase: 'Running' }); // status changes on the main resource are ignored
    expect(mainOnly.metadata.generation).toBe(1); // metadata changes do not bump generation

    const specChange = (await k.custom.patchNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural: PLURAL, name: 'gen', body: { spec: { args: ['x'] } } }, merge)) as Job;
    expect(specChange.metadata.generation).toBe(2);

    const noop = (await k.custom.patchNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural: PLURAL, name: 'gen', body: { spec: { args: ['x'] } } }, merge)) as Job;
    expect(noop.metadata.resourceVersion).toBe(specChange.metadata.resourceVersion);
  });

  it('validates custom resources against the structural schema: 422 naming the field, defaults, pruning', async () => {
    const bad = await failure(k.custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural: PLURAL, body: testJob('bad', { executor: { instances: 0 } }) }));
    expect(bad.code).toBe(422);
    expect(bad.status.reason).toBe('Invalid');
    expect(bad.status.message).toBe(
      'TestJob.test.kuberdd.io "bad" is invalid: spec.executor.instances: Invalid value: 0: spec.executor.instances in body should be greater than or equal to 1',
    );
    expect(bad.status.details?.causes?.[0]).toMatchObject({ field: 'spec.executor.instances', reason: 'FieldValueInvalid' });

    const many = await failure(
      k.custom.createNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: ns,
        plural: PLURAL,
        body: { apiVersion: `${GROUP}/${VERSION}`, kind: 'TestJob', metadata: { name: 'many' }, spec: { image: 7, mode: 'other', args: ['1', '2', '3', '4'], mainFile: 'no spaces.ts' } },
      }),
    );
    expect(many.status.message).toContain('spec.image: Invalid value: "integer": spec.image in body must be of type string: "integer"');
    expect(many.status.message).toContain('spec.mode: Unsupported value: "other": supported values: "cluster", "client"');
    expect(many.status.message).toContain('spec.args: Too many: 4: must have at most 3 items');
    expect(many.status.message).toContain(`spec.mainFile: Invalid value: "no spaces.ts": spec.mainFile in body should match`);

    const required = await failure(k.custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural: PLURAL, body: { apiVersion: `${GROUP}/${VERSION}`, kind: 'TestJob', metadata: { name: 'r' }, spec: { image: 'i' } } }));
    expect(required.status.message).toBe('TestJob.test.kuberdd.io "r" is invalid: spec.mainFile: Required value');

    const cel = await failure(k.custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural: PLURAL, body: testJob('cel', { executor: { instances: 5 }, maxExecutors: 2 }) }));
    expect(cel.status.message).toContain('spec: Invalid value: "object": maxExecutors must be at least executor.instances');

    const ok = (await k.custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural: PLURAL, body: testJob('defaults', { unknownField: 1, config: { free: { form: true } } }) })) as Job;
    expect(ok.spec).toEqual({ image: 'kuberdd:dev', mainFile: 'job.ts', mode: 'cluster', executor: { instances: 2, memory: '512Mi' }, config: { free: { form: true } } });

    const strict = await failure(k.custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural: PLURAL, fieldValidation: 'Strict', body: testJob('strict', { unknownField: 1 }) }));
    expect(strict.code).toBe(400);
    expect(strict.status.message).toContain('unknown field "spec.unknownField"');
  });

  it('selects by label (=, !=, in, notin, exists, !) and by field', async () => {
    const labels = [{ app: 'a', tier: 'web' }, { app: 'b', tier: 'db' }, { app: 'c' }];
    for (const [i, l] of labels.entries()) await k.core.createNamespacedPod({ namespace: 'kube-public', body: pod(`sel-${i}`, l) });
    const names = async (labelSelector?: string, fieldSelector?: string): Promise<string[]> =>
      (await k.core.listNamespacedPod({ namespace: 'kube-public', ...(labelSelector ? { labelSelector } : {}), ...(fieldSelector ? { fieldSelector } : {}) })).items.map((p) => p.metadata?.name ?? '');
    expect(await names('app=a')).toEqual(['sel-0']);
    expect(await names('app!=a')).toEqual(['sel-1', 'sel-2']);
    expect(await names('app in (a, c)')).toEqual(['sel-0', 'sel-2']);
    expect(await names('app notin (a,c)')).toEqual(['sel-1']);
    expect(await names('tier')).toEqual(['sel-0', 'sel-1']);
    expect(await names('!tier')).toEqual(['sel-2']);
    expect(await names('tier,app=b')).toEqual(['sel-1']);
    expect(await names(undefined, 'metadata.name=sel-2')).toEqual(['sel-2']);
    expect(await names(undefined, 'status.phase=Pending,metadata.name!=sel-0')).toEqual(['sel-1', 'sel-2']);
    expect((await failure(k.core.listNamespacedPod({ namespace: 'kube-public', fieldSelector: 'spec.image=x' }))).status.message).toBe('field label not supported: spec.image');
    expect((await failure(k.core.listNamespacedPod({ namespace: 'kube-public', labelSelector: 'app in (a' }))).code).toBe(400);
    const page = await k.core.listNamespacedPod({ namespace: 'kube-public', limit: 2 });
    expect(page.items).toHaveLength(2);
    const rest = await k.core.listNamespacedPod({ namespace: 'kube-public', limit: 2, _continue: page.metadata?._continue ?? '' });
    expect(rest.items.map((p) => p.metadata?.name)).toEqual(['sel-2']);
  });

  it('cascades deletion to dependents by ownerReference (Background, Foreground, Orphan)', async () => {
    const makeFamily = async (name: string): Promise<string> => {
      const owner = (await k.custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural: PLURAL, body: testJob(name) })) as Job;
      const ownerReferences = [{ apiVersion: `${GROUP}/${VERSION}`, kind: 'TestJob', name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true }];
      await k.core.createNamespacedPod({ namespace: ns, body: { ...pod(`${name}-driver`), metadata: { name: `${name}-driver`, ownerReferences } } });
      await k.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: `${name}-conf`, ownerReferences } } });
      return owner.metadata.uid;
    };
    const exists = async (name: string): Promise<boolean> => (await k.core.listNamespacedPod({ namespace: ns, fieldSelector: `metadata.name=${name}` })).items.length > 0;
    const jobGone = async (name: string): Promise<boolean> =>
      !((await k.custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural: PLURAL, fieldSelector: `metadata.name=${name}` })) as { items: unknown[] }).items.length;
    const cmExists = async (name: string): Promise<boolean> => (await k.core.listNamespacedConfigMap({ namespace: ns, fieldSelector: `metadata.name=${name}` })).items.length > 0;

    await makeFamily('bg');
    await k.custom.deleteNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural: PLURAL, name: 'bg' });
    await eventually(async () => !(await exists('bg-driver')) && !(await cmExists('bg-conf')), 'background cascade');

    await makeFamily('fg');
    await k.custom.deleteNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural: PLURAL, name: 'fg', propagationPolicy: 'Foreground' });
    await eventually(() => jobGone('fg'), 'foreground owner gone');
    expect(await exists('fg-driver')).toBe(false);

    await makeFamily('orphan');
    await k.custom.deleteNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural: PLURAL, name: 'orphan', propagationPolicy: 'Orphan' });
    await eventually(() => jobGone('orphan'), 'orphaning owner gone');
    const orphan = await k.core.readNamespacedPod({ namespace: ns, name: 'orphan-driver' });
    expect(orphan.metadata?.ownerReferences).toBeUndefined();
  });

  it('keeps an object with finalizers until they are removed', async () => {
    await k.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'fin', finalizers: ['kuberdd.io/cleanup'] } } });
    await k.core.deleteNamespacedConfigMap({ namespace: ns, name: 'fin' });
    const pending = await k.core.readNamespacedConfigMap({ namespace: ns, name: 'fin' });
    expect(pending.metadata?.deletionTimestamp).toBeInstanceOf(Date);
    await k.core.patchNamespacedConfigMap({ namespace: ns, name: 'fin', body: { metadata: { finalizers: null } } }, merge);
    expect((await failure(k.core.readNamespacedConfigMap({ namespace: ns, name: 'fin' }))).code).toBe(404);
  });

  it('creates 100 custom resources concurrently within two seconds', async () => {
    const started = Date.now();
    await Promise.all(Array.from({ length: 100 }, (_, i) => k.custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: 'kube-system', plural: PLURAL, body: testJob(`bulk-${i}`) })));
    const elapsed = Date.now() - started;
    const list = (await k.custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: 'kube-system', plural: PLURAL })) as { items: unknown[] };
    expect(list.items).toHaveLength(100);
    expect(elapsed).toBeLessThan(2000);
  });
});
