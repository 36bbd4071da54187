/** Synthesises the prescale stack for template assertions, with bundling skipped (no esbuild run). */
import { App, Aspects } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PrescaleStack } from '../../cdk/lib/prescale-stack.js';
import { readStackInputs } from '../../cdk/lib/props.js';

/** The stack, its template and its annotations for the given context. */
export function synthStack(context: Record<string, unknown> = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  const inputs = readStackInputs((k) => app.node.tryGetContext(k));
  const stack = new PrescaleStack(app, 'PrescaleTest', { inputs, env: { account: '123456789012', region: 'us-east-1' } });
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  app.synth();
  return { stack, template: Template.fromStack(stack), annotations: Annotations.fromStack(stack), Match };
}

/** IAM policy statements of the template, flattened. */
export function statements(template: Template): Array<Record<string, unknown>> {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies).flatMap((p) => (p as { Properties: { PolicyDocument: { Statement: Array<Record<string, unknown>> } } }).Properties.PolicyDocument.Statement);
}

/** A dashboard widget as the tests read it. */
export type DashboardWidget = { type: string; properties: { title?: string; markdown?: string; metrics?: unknown[] } };

/** The dashboard's widgets (the body is a Fn::Join of strings and tokens; tokens become "?"). */
export function dashboardWidgets(template: Template): DashboardWidget[] {
  const dash = Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0] as { Properties: { DashboardBody: unknown } };
  const body = dash.Properties.DashboardBody as { 'Fn::Join'?: [string, unknown[]] } | string;
  const text = typeof body === 'string' ? body : body['Fn::Join']![1].map((p) => (typeof p === 'string' ? p : '?')).join('');
  return (JSON.parse(text) as { widgets: DashboardWidget[] }).widgets;
}
