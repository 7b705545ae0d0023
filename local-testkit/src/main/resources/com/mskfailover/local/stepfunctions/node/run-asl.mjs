// Runs one Amazon States Language definition with aws-local-stepfunctions and prints
// {status, output, error, cause, events} as JSON on stdout. Called by LocalStateMachineRunner.
// Usage: node run-asl.mjs request.json
// request: {definitionFile, substitutions: {Name: value}, input, executionName, zeroWaits, zeroRetryIntervals, region}
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';

const request = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const text = readFileSync(request.definitionFile, 'utf8');

// DefinitionSubstitutions, as CloudFormation applies them: every ${Name} must have a value.
const missing = new Set();
const substituted = text.replace(/\$\{([A-Za-z0-9_]+)\}/g, (whole, name) => {
  if (!(name in request.substitutions)) { missing.add(name); return whole; }
  return request.substitutions[name];
});
if (missing.size > 0) {
  console.log(JSON.stringify({ status: 'INVALID', error: 'MissingSubstitution', cause: [...missing].join(', '), events: [] }));
  process.exit(0);
}
const definition = JSON.parse(substituted);

// Tests set every Wait and Retry interval to zero: state names are collected from all nesting levels.
function collect(states, waits, retries) {
  for (const [name, state] of Object.entries(states)) {
    if (state.Type === 'Wait') waits[name] = 0;
    if (state.Retry) retries[name] = state.Retry.map(() => 0);
    for (const branch of state.Branches ?? []) collect(branch.States, waits, retries);
    const inner = state.ItemProcessor ?? state.Iterator;
    if (inner) collect(inner.States, waits, retries);
  }
}
// The context object: aws-local-stepfunctions gives only $$.Execution.Input and StartTime. $$.Execution.Name and Id are
// passed in (a UUID, as StartExecution names one, unless the request names it); $$.State.Name, which it does not
// track, is written into each state's Parameters and ResultSelector where a field takes it ("x.$": "$$.State.Name").
function withStateNames(states) {
  const fill = (template, stateName) => {
    if (Array.isArray(template)) return template.map((value) => fill(value, stateName));
    if (template === null || typeof template !== 'object') return template;
    const filled = {};
    for (const [key, value] of Object.entries(template)) {
      if (key.endsWith('.$') && value === '$$.State.Name') filled[key.slice(0, -2)] = stateName;
      else filled[key] = fill(value, stateName);
    }
    return filled;
  };
  for (const [name, state] of Object.entries(states)) {
    if (state.Parameters) state.Parameters = fill(state.Parameters, name);
    if (state.ResultSelector) state.ResultSelector = fill(state.ResultSelector, name);
    for (const branch of state.Branches ?? []) withStateNames(branch.States);
    const inner = state.ItemProcessor ?? state.Iterator;
    if (inner) withStateNames(inner.States);
  }
}
withStateNames(definition.States);
const executionName = request.executionName ?? randomUUID();
// $$.Execution.Id: the ARN Step Functions would give, its state machine named after the file (failover.asl.json -> failover).
const stateMachineName = basename(request.definitionFile).replace(/\.asl\.json$/, '');
const executionArn = `arn:aws:states:${request.region ?? 'us-east-2'}:000000000000:execution:${stateMachineName}:${executionName}`;

const waitTimeOverrides = {};
const retryIntervalOverrides = {};
collect(definition.States, waitTimeOverrides, retryIntervalOverrides);

const machine = new StateMachine(definition, {
  awsConfig: {
    region: request.region ?? 'us-east-2',
    credentials: { accessKeys: { accessKeyId: 'local', secretAccessKey: 'local' } },
  },
});
const execution = machine.run(request.input, {
  context: { Execution: { Name: executionName, Id: executionArn } },
  overrides: {
    waitTimeOverrides: request.zeroWaits ? waitTimeOverrides : {},
    retryIntervalOverrides: request.zeroRetryIntervals ? retryIntervalOverrides : {},
  },
});

const events = [];
const logging = (async () => {
  for await (const event of execution.eventLogs) {
    const entry = { type: event.type, timestamp: event.timestamp };
    if (event.state) { entry.stateName = event.state.name; entry.stateType = event.state.type; }
    if (event.state && 'output' in event.state) entry.output = event.state.output;
    if ('Error' in event) { entry.error = event.Error; entry.cause = typeof event.Cause === 'string' ? event.Cause : JSON.stringify(event.Cause); }
    if (event.retry) entry.attempt = event.retry.attempt;
    events.push(entry);
  }
})();

let result;
try {
  const output = await execution.result;
  result = { status: 'SUCCEEDED', output };
} catch (error) {
  result = { status: 'FAILED', error: error.name === 'ExecutionError' ? undefined : error.name, cause: error.message };
}
await logging;
const failed = events.find((event) => event.type === 'ExecutionFailed');
if (failed) { result.error = failed.error; result.cause = failed.cause; }
result.events = events;
console.log(JSON.stringify(result));
