/**
 * Checks a chain service configuration once, at start (issue 15): zod strict objects at every depth
 * (an unknown key such as `tokenz` is named), then what zod cannot see: catalog workflows (cycles,
 * missing dependencies, unknown pools, schemas), the task registry, code locations under the task
 * root, tokens (length, known principals), policies and operators naming known principals or groups.
 * The first problem is thrown as one {@link InputError} naming its field.
 */
import { InputError, inputErrorFromZod, type Workflow } from '../../core/model/index.js';
import { registryInputError, validateWorkflow, type SchemaChecker } from '../../core/registry/index.js';
import type { CodeAdmission } from '../../ports/executor.js';
import { ChainServiceConfigSchema, MIN_TOKEN_LENGTH, type ChainServiceConfig } from './config.js';

/** Workflow name of every submitted (ad-hoc) chain; no catalog workflow may take it. */
export const SUBMITTED_WORKFLOW = 'submitted';

const UNKNOWN_KEY = 'no such key (an unknown configuration key; check its spelling)';

const isPlain = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The first key of `input` that zod's parse dropped (an unknown key of a non-strict nested schema),
 * as a JSON path; undefined when none was dropped. Records keep their keys, so only unknown object keys show.
 */
export function droppedKey(input: unknown, output: unknown, path = ''): string | undefined {
  if (Array.isArray(input) && Array.isArray(output)) {
    for (let i = 0; i < input.length; i++) {
      const d = droppedKey(input[i], output[i], `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (!isPlain(input) || !isPlain(output)) return undefined;
  for (const k of Object.keys(input)) {
    const at = path ? `${path}.${k}` : k;
    if (!Object.prototype.hasOwnProperty.call(output, k)) return at;
    const d = droppedKey(input[k], output[k], at);
    if (d) return d;
  }
  return undefined;
}

/** Whether a policy/operator entry names something that exists: a wildcard pattern, a principal id or a group. */
function knownName(name: string, ids: ReadonlySet<string>, groups: ReadonlySet<string>): boolean {
  return name.includes('*') || ids.has(name) || groups.has(name);
}

/**
 * Parses and checks a configuration.
 * @param raw the parsed JSON document
 * @param deps the schema checker (ajv) and, when code will run, the code admission (task root, commands)
 * @param file the file name for messages
 * @throws InputError naming the first failing field
 */
export function parseChainServiceConfig(raw: unknown, deps: { schemas: SchemaChecker; code?: CodeAdmission }, file?: string): ChainServiceConfig {
  const parsed = ChainServiceConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    if (first?.code === 'unrecognized_keys') {
      const field = [...first.path, first.keys[0]].map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
      throw new InputError({ file, field }, first.keys[0], UNKNOWN_KEY);
    }
    throw inputErrorFromZod(parsed.error.issues, raw, file);
  }
  const dropped = droppedKey(raw, parsed.data);
  if (dropped) throw new InputError({ file, field: dropped }, dropped.split('.').pop(), UNKNOWN_KEY);
  checkChainServiceConfig(parsed.data, deps, file);
  return parsed.data;
}

/** The semantic checks of {@link parseChainServiceConfig}. @throws InputError naming the field */
export function checkChainServiceConfig(config: ChainServiceConfig, deps: { schemas: SchemaChecker; code?: CodeAdmission }, file?: string): void {
  const fail = (field: string, value: unknown, expected: string): never => {
    throw new InputError({ file, field }, value, expected);
  };
  const ids = new Set<string>();
  config.principals.forEach((p, i) => {
    if (ids.has(p.id)) fail(`principals[${i}].id`, p.id, 'a principal id used once');
    ids.add(p.id);
  });
  const groups = new Set(config.principals.flatMap((p) => p.memberOf));
  const poolIds = new Set(config.pools.map((p) => p.id));
  for (const [token, principalId] of Object.entries(config.tokens)) {
    const shown = `a ${token.length}-character token of ${principalId}`;
    if (token.length < MIN_TOKEN_LENGTH) fail('tokens', shown, `bearer tokens of at least ${MIN_TOKEN_LENGTH} characters (e.g. \`openssl rand -hex 24\`)`);
    if (/\s/.test(token)) fail('tokens', shown, 'bearer tokens without whitespace');
    if (!ids.has(principalId)) fail(`tokens`, principalId, `a principal id of "principals" for every token (${[...ids].join(', ') || 'none configured'})`);
  }
  config.policies.forEach((p, i) => {
    p.principals.forEach((n, j) => {
      if (!knownName(n, ids, groups)) fail(`policies[${i}].principals[${j}]`, n, 'a principal id, a group some principal is memberOf, or a * pattern');
    });
    p.pools.forEach((n, j) => {
      if (!n.includes('*') && !poolIds.has(n)) fail(`policies[${i}].pools[${j}]`, n, `a configured pool id (${[...poolIds].join(', ')}) or a * pattern`);
    });
  });
  config.operators.forEach((n, i) => {
    if (!ids.has(n) && !groups.has(n)) fail(`operators[${i}]`, n, 'a principal id or a group some principal is memberOf');
  });
  config.workerChannel?.tokens.forEach((token, i) => {
    const shown = `a ${token.length}-character worker token`;
    if (token.length < MIN_TOKEN_LENGTH) fail(`workerChannel.tokens[${i}]`, shown, `worker tokens of at least ${MIN_TOKEN_LENGTH} characters (e.g. \`openssl rand -hex 24\`)`);
    if (/\s/.test(token)) fail(`workerChannel.tokens[${i}]`, shown, 'worker tokens without whitespace');
    if (Object.hasOwn(config.tokens, token)) fail(`workerChannel.tokens[${i}]`, shown, 'a worker token that is not also a chain API token');
  });
  const ec2Pools = config.pools.filter((p) => p.kind === 'ec2').map((p) => p.id);
  config.workerChannel?.remotePools.forEach((id, i) => {
    if (!ec2Pools.includes(id)) fail(`workerChannel.remotePools[${i}]`, id, `a configured EC2 pool id (${ec2Pools.join(', ') || 'none configured'})`);
  });
  for (const k of Object.keys(config.availability)) if (!poolIds.has(k)) fail(`availability.${k}`, k, `a configured pool id (${[...poolIds].join(', ')})`);
  const code = (field: string, location: string | undefined, taskId: string): void => {
    if (location === undefined || !deps.code) return;
    const why = deps.code.refusal(location, taskId);
    if (why) fail(field, location, why);
  };
  const registered = new Set<string>();
  config.tasks.forEach((t, i) => {
    if (registered.has(t.task_id)) fail(`tasks[${i}].task_id`, t.task_id, 'a registered task id used once');
    registered.add(t.task_id);
    if (t.dependencies.length > 0) fail(`tasks[${i}].dependencies`, t.dependencies, 'no dependencies on a registered task (a chain that uses it sets them)');
    for (const [k, s] of [['input_schema', t.input_schema], ['output_schema', t.output_schema]] as const) {
      const bad = deps.schemas.invalidSchema(s);
      if (bad) fail(`tasks[${i}].${k}`, s, `a valid JSON Schema (${bad})`);
    }
    code(`tasks[${i}].executable_code_location`, t.executable_code_location, t.task_id);
    code(`tasks[${i}].prepare`, t.prepare, t.task_id);
  });
  const names = new Set<string>();
  config.workflows.forEach((w: Workflow, i) => {
    if (w.name === SUBMITTED_WORKFLOW) fail(`workflows[${i}].name`, w.name, `a catalog workflow name other than "${SUBMITTED_WORKFLOW}" (reserved for submitted chains)`);
    if (names.has(w.name)) fail(`workflows[${i}].name`, w.name, 'a workflow name used once');
    names.add(w.name);
    const [issue] = validateWorkflow(w, config.pools, deps.schemas);
    if (issue) {
      const e = registryInputError({ ...issue, field: `workflows[${i}].${issue.field}` }, file);
      throw e;
    }
    w.variants.forEach((v, j) => v.tasks.forEach((t, k) => {
      code(`workflows[${i}].variants[${j}].tasks[${k}].executable_code_location`, t.executable_code_location, t.task_id);
      code(`workflows[${i}].variants[${j}].tasks[${k}].prepare`, t.prepare, t.task_id);
    }));
  });
  const catalogTaskIds = new Set(config.workflows.flatMap((w) => w.variants.flatMap((v) => v.tasks.map((t) => t.task_id))));
  config.commandTasks.forEach((id, i) => {
    if (!registered.has(id) && !catalogTaskIds.has(id)) fail(`commandTasks[${i}]`, id, 'a registered or catalog task id');
  });
}
