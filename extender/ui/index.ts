// The status page's public surface: the route plugin and the pieces main.ts wires into it.
export { uiPlugin, type UiPluginOptions } from './ui-plugin.js';
export { DecisionLog, DEFAULT_DECISION_CAPACITY, type Decision } from './decision-log.js';
export { kubePolicyStatusSource, type ListedPolicy, type PolicyStatusSource } from './policy-source.js';
export { StatusSchema, type Status } from './status-schema.js';
export { STATUS_PAGE_HTML, POLL_INTERVAL_MS } from './page.js';
