// Which kinds the stand-in serves, by group/version/plural: the built-ins plus one entry per
// served version of each registered CustomResourceDefinition. Also answers discovery.
import { ApiError } from './ApiError.js';
import { builtinResourceTypes } from './builtinResourceTypes.js';
import { CelRule } from './CelRule.js';
import { FieldError } from './FieldError.js';
import type { KubeObject, PrinterColumn, ResourceType } from './ResourceType.js';
import type { StructuralSchema } from './StructuralSchema.js';

interface CrdVersion {
  name?: string;
  served?: boolean;
  storage?: boolean;
  schema?: { openAPIV3Schema?: StructuralSchema };
  subresources?: { status?: object; scale?: object };
  additionalPrinterColumns?: PrinterColumn[];
  selectableFields?: Array<{ jsonPath: string }>;
}

interface CrdSpec {
  group?: string;
  scope?: string;
  names?: { plural?: string; singular?: string; kind?: string; listKind?: string; shortNames?: string[]; categories?: string[] };
  versions?: CrdVersion[];
}

const AGE_COLUMN: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

export class ResourceRegistry {
  private readonly types = new Map<string, ResourceType>();
  /** Rules in registered CRDs that the stand-in's CEL subset cannot evaluate (reported, not enforced). */
  readonly unsupportedCelRules: string[] = [];

  constructor() {
    for (const type of builtinResourceTypes()) this.add(type);
  }

  private add(type: ResourceType): void {
    this.types.set(`${type.group}/${type.version}/${type.plural}`, type);
  }

  find(group: string, version: string, plural: string): ResourceType | undefined {
    return this.types.get(`${group}/${version}/${plural}`);
  }

  /** The type to store an object of this apiVersion/kind under (for ownerReferences and CRD cleanup). */
  findByKind(apiVersion: string, kind: string): ResourceType | undefined {
    const [group, version] = apiVersion.includes('/') ? (apiVersion.split('/') as [string, string]) : ['', apiVersion];
    for (const type of this.types.values()) if (type.group === group && type.version === version && type.kind === kind) return type;
    return undefined;
  }

  all(): ResourceType[] {
    return [...this.types.values()];
  }

  /** group → versions, in registration order (the first is the preferred version). */
  groups(): Map<string, string[]> {
    const groups = new Map<string, string[]>();
    for (const type of this.types.values()) {
      const versions = groups.get(type.group) ?? [];
      if (!versions.includes(type.version)) versions.push(type.version);
      groups.set(type.group, versions);
    }
    return groups;
  }

  /** Checks a CRD the way the real server's validation does (the parts the stand-in relies on). */
  static validateCrd(crd: KubeObject): FieldError[] {
    const spec = (crd.spec ?? {}) as CrdSpec;
    const errors: FieldError[] = [];
    if (!spec.group) errors.push(FieldError.required('spec.group'));
    if (!spec.names?.plural) errors.push(FieldError.required('spec.names.plural'));
    if (!spec.names?.kind) errors.push(FieldError.required('spec.names.kind'));
    if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') errors.push(FieldError.notSupported('spec.scope', spec.scope, ['Cluster', 'Namespaced']));
    const versions = spec.versions ?? [];
    if (versions.length === 0) errors.push(FieldError.required('spec.versions', 'must have exactly one version marked as storage version'));
    if (versions.length > 0 && versions.filter((v) => v.storage === true).length !== 1) {
      errors.push(FieldError.invalid('spec.versions', versions.map((v) => v.name), 'must have exactly one version marked as storage version'));
    }
    versions.forEach((v, i) => {
      if (!v.name) errors.push(FieldError.required(`spec.versions[${i}].name`));
      if (!v.schema?.openAPIV3Schema) errors.push(FieldError.required(`spec.versions[${i}].schema.openAPIV3Schema`, 'schemas are required'));
    });
    const expectedName = `${spec.names?.plural ?? ''}.${spec.group ?? ''}`;
    if (spec.group && spec.names?.plural && crd.metadata.name !== expectedName) {
      errors.push(FieldError.invalid('metadata.name', crd.metadata.name, `must be spec.names.plural+"."+spec.group`));
    }
    return errors;
  }

  /** Serves a CRD's versions; replaces what an earlier version of the same CRD registered. */
  registerCrd(crd: KubeObject): ResourceType[] {
    const spec = crd.spec as CrdSpec;
    this.unregisterCrd(crd);
    const names = spec.names ?? {};
    const kind = names.kind ?? '';
    const registered: ResourceType[] = [];
    for (const version of spec.versions ?? []) {
      if (version.served === false) continue;
      const schema = version.schema?.openAPIV3Schema;
      if (schema) this.collectUnsupportedRules(schema, `${crd.metadata.name}/${version.name}`);
      const type: ResourceType = {
        group: spec.group ?? '',
        version: version.name ?? '',
        plural: names.plural ?? '',
        singular: names.singular ?? kind.toLowerCase(),
        kind,
        listKind: names.listKind ?? `${kind}List`,
        namespaced: spec.scope === 'Namespaced',
        shortNames: names.shortNames ?? [],
        categories: names.categories ?? [],
        subresources: version.subresources?.status !== undefined ? ['status'] : [],
        statusSubresource: version.subresources?.status !== undefined,
        custom: true,
        schema,
        printerColumns: version.additionalPrinterColumns?.length ? version.additionalPrinterColumns : [AGE_COLUMN],
        selectableFields: (version.selectableFields ?? []).map((f) => f.jsonPath.replace(/^\./, '')),
        nameIsLabel: false,
      };
      this.add(type);
      registered.push(type);
    }
    return registered;
  }

  unregisterCrd(crd: KubeObject): void {
    const spec = crd.spec as CrdSpec;
    for (const [key, type] of this.types) {
      if (type.custom && type.group === spec.group && type.plural === spec.names?.plural) this.types.delete(key);
    }
  }

  private collectUnsupportedRules(schema: StructuralSchema, where: string, path = ''): void {
    for (const v of schema['x-kubernetes-validations'] ?? []) {
      const reason = CelRule.compile(v.rule).unsupportedReason;
      if (reason) this.unsupportedCelRules.push(`${where} ${path || '<root>'}: ${v.rule} (${reason})`);
    }
    for (const [key, child] of Object.entries(schema.properties ?? {})) this.collectUnsupportedRules(child, where, path ? `${path}.${key}` : key);
    if (schema.items) this.collectUnsupportedRules(schema.items, where, `${path}[*]`);
    if (typeof schema.additionalProperties === 'object') this.collectUnsupportedRules(schema.additionalProperties, where, `${path}.*`);
  }

  /** APIResourceList for one group/version, as `/api/v1` and `/apis/<g>/<v>` serve it. */
  resourceList(group: string, version: string): Record<string, unknown> | undefined {
    const types = this.all().filter((t) => t.group === group && t.version === version);
    if (types.length === 0) throw ApiError.notFound('', `${group ? `${group}/` : ''}${version}`);
    const resources: Array<Record<string, unknown>> = [];
    for (const t of types) {
      resources.push({
        name: t.plural,
        singularName: t.singular,
        namespaced: t.namespaced,
        kind: t.kind,
        verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
        ...(t.shortNames.length ? { shortNames: t.shortNames } : {}),
        ...(t.categories.length ? { categories: t.categories } : {}),
        storageVersionHash: Buffer.from(`${t.group}/${t.version}/${t.kind}`).toString('base64').slice(0, 11),
      });
      for (const sub of t.subresources) {
        const kinds: Record<string, [string, string[]]> = {
          status: [t.kind, ['get', 'patch', 'update']],
          binding: ['Binding', ['create']],
          eviction: ['Eviction', ['create']],
          log: ['Pod', ['get']],
        };
        const [kind, verbs] = kinds[sub] ?? [t.kind, ['get']];
        resources.push({ name: `${t.plural}/${sub}`, singularName: '', namespaced: t.namespaced, kind, verbs });
      }
    }
    return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
  }

  apiGroup(group: string): Record<string, unknown> {
    const versions = this.groups().get(group);
    if (!versions || group === '') throw ApiError.notFound('', group);
    const list = versions.map((v) => ({ groupVersion: `${group}/${v}`, version: v }));
    return { kind: 'APIGroup', apiVersion: 'v1', name: group, versions: list, preferredVersion: list[0] };
  }

  apiGroupList(): Record<string, unknown> {
    const groups = [...this.groups().keys()].filter((g) => g !== '').map((g) => {
      const { kind: _kind, apiVersion: _apiVersion, ...rest } = this.apiGroup(g);
      return rest;
    });
    return { kind: 'APIGroupList', apiVersion: 'v1', groups };
  }
}
